package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"strconv"
	"time"

	"github.com/faas-grip/faas-grip-go/tools/devstack"
)

// endToEnd is (e): chat latency through a real Pushpin and the local stack
// (a client sends, all N clients receive), next to the floor measured in
// the same run and interleaved with it: Pushpin alone, publish -> all N
// receive.
func (b *bench) endToEnd(ctx context.Context) error {
	if err := b.needChat(); err != nil {
		return err
	}
	if _, err := exec.LookPath("pushpin"); err != nil {
		b.r.section("(e) end-to-end chat latency: not measured").note("pushpin is not installed (apt-get install pushpin, or brew install pushpin)")
		return nil
	}
	logs := &tailBuffer{max: 16 << 10}
	history, err := os.MkdirTemp(b.tmp, "history-")
	if err != nil {
		return err
	}
	sctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	stack, err := devstack.Start(sctx, devstack.Options{
		Dir: b.root,
		// Latency samples go one after another from one connection, faster
		// than the chat's per-connection rate limit lets a person type.
		Env:            map[string]string{"HISTORY_DIR": history, "CHAT_RATE": "100000", "CHAT_BURST": "100000"},
		FunctionOutput: logs,
		PushpinOutput:  logs,
		Logger:         slog.New(slog.NewTextHandler(logs, nil)),
	})
	if err != nil {
		return fmt.Errorf("starting the local stack: %w%s", err, logsIf(ctx, logs))
	}
	defer stack.Close()

	s := b.r.section(fmt.Sprintf("(e) end-to-end chat latency through Pushpin and the local stack, %d messages per N", b.o.rounds),
		"N clients", "floor p50", "floor p99", "chat p50", "chat p50 / floor p50", "chat p99")
	for _, n := range b.o.clients {
		floor, chat, err := b.chatLatency(sctx, stack, n)
		if err != nil {
			return fmt.Errorf("with %d clients: %w%s", n, err, logsIf(ctx, logs))
		}
		over := times(ratio(median(chat), median(floor)))
		if n == 10 {
			over = b.r.judgeRatio("e2e p50 / floor at N = 10", median(chat), median(floor), budgetE2ERatio) + fmt.Sprintf(" (≤ %.2g×)", budgetE2ERatio)
		}
		s.row(strconv.Itoa(n), ms(median(floor)), ms(percentile(floor, 99)), ms(median(chat)), over, ms(percentile(chat, 99)))
	}
	s.note("chat: a client sends a WebSocket message; Pushpin turns it into a WebSocket-over-HTTP request to the local API Gateway, which invokes the chat function through the Runtime API; the function publishes to Pushpin, which sends it to every client. Latency: send -> the last of the N clients has it.")
	s.note("floor: POST /publish/ to Pushpin's control API -> the last of the N clients has it. Samples alternate floor, chat.")
	return nil
}

// chatLatency connects n clients and measures b.o.rounds floor and chat samples.
func (b *bench) chatLatency(ctx context.Context, stack *devstack.Stack, n int) (floor, chat []time.Duration, err error) {
	room, err := joinChat(ctx, stack.ProxyURL(), n)
	if err != nil {
		return nil, nil, err
	}
	defer room.close()
	pub := newPublisher(stack.ControlURL())
	// Warm up: connections, the function process, Pushpin's routes.
	for i := range 5 {
		if _, err := room.viaChat(ctx, "warm-"+strconv.Itoa(i)); err != nil {
			return nil, nil, err
		}
		if _, err := room.viaPublish(ctx, pub, "chat", "warm-pub-"+strconv.Itoa(i)); err != nil {
			return nil, nil, err
		}
	}
	for i := range b.o.rounds {
		d, err := room.viaPublish(ctx, pub, "chat", fmt.Sprintf("floor-%d-%d", n, i))
		if err != nil {
			return nil, nil, err
		}
		floor = append(floor, d)
		if d, err = room.viaChat(ctx, fmt.Sprintf("chat-%d-%d", n, i)); err != nil {
			return nil, nil, err
		}
		chat = append(chat, d)
	}
	return floor, chat, nil
}

// logsIf quotes the stack's last log lines, unless the run was stopped.
func logsIf(ctx context.Context, logs *tailBuffer) string {
	if ctx.Err() != nil {
		return ""
	}
	return "\n" + logs.String()
}
