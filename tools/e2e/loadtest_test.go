package e2e

import (
	"bytes"
	"log/slog"
	"testing"
	"time"

	"github.com/faas-grip/faas-grip-go/tools/devstack"
	"github.com/faas-grip/faas-grip-go/tools/loadtest"
)

// TestLoadThroughTwoPushpins is `make loadtest` made small enough for every
// test run: a stack of its own with two Pushpin instances, the functions'
// GRIP_URL naming both, and clients spread over both. Every client must
// receive every message exactly once and in order: chat messages sent
// through the chat function, and items published through the publish
// function to streams (plain and SSE) and long-polls.
func TestLoadThroughTwoPushpins(t *testing.T) {
	stack(t) // skips when Pushpin is missing
	ctx := testContext(t, 3*time.Minute)

	history := t.TempDir()
	logs := newLogBuffer()
	counter := loadtest.NewRequestCounter(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelWarn}))
	s, err := devstack.Start(ctx, devstack.Options{
		Dir: root,
		Env: map[string]string{
			"HISTORY_DIR":      history,
			"LONGPOLL_TIMEOUT": "10s",
			// Each sender sends far faster than a person: lift the chat's
			// per-connection rate limit out of the way.
			"CHAT_RATE":  "100000",
			"CHAT_BURST": "100000",
		},
		Pushpins: 2,
		// The packaged message_rate (2500/s) would only slow the chat
		// down here; max_open_requests keeps Pushpin from refusing a burst
		// of re-polls with 502 (see pushpin.Config), with room for the
		// chat's WebSockets, which it counts too.
		PushpinMessageRate:     -1,
		PushpinMessageHWM:      1000000,
		PushpinMaxOpenRequests: 100,
		FunctionOutput:         logs,
		PushpinOutput:          logs,
		Logger:                 slog.New(counter),
	})
	if err != nil {
		t.Fatalf("starting a stack with two Pushpin instances: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("stopping the stack: %v", err)
		}
		if t.Failed() {
			t.Logf("--- the stack's log (last 32 KiB) ---\n%s", logs.tail(32<<10))
		}
	})
	tmpl, err := projectTemplate()
	if err != nil {
		t.Fatal(err)
	}
	target := loadtest.StackTarget(s, counter)
	target.Progress = t.Logf

	var results []*loadtest.Result
	check := func(r *loadtest.Result) {
		t.Helper()
		results = append(results, r)
		if err := r.Err(); err != nil {
			t.Error(err)
		}
		for _, n := range r.Notes {
			t.Logf("%s: %s", r.Scenario, n)
		}
	}
	if fn := loadtest.Missing(tmpl, "chat"); fn != "" {
		t.Logf("chat: skipped, %s is not in template.yaml", fn)
	} else {
		check(loadtest.Chat(ctx, target, loadtest.ChatConfig{
			Clients: 50, Senders: 4, Messages: 200, Rate: 400, Idle: 15 * time.Second,
		}))
	}
	if fn := loadtest.Missing(tmpl, "stream"); fn != "" {
		t.Logf("stream: skipped, %s is not in template.yaml", fn)
	} else {
		check(loadtest.Stream(ctx, target, loadtest.StreamConfig{
			Clients: 100, Items: 100, Batch: 10, Idle: 15 * time.Second,
		}))
	}
	if fn := loadtest.Missing(tmpl, "longpoll"); fn != "" {
		t.Logf("longpoll: skipped, %s is not in template.yaml", fn)
	} else {
		check(loadtest.Longpoll(ctx, target, loadtest.LongpollConfig{
			Clients: 100, Items: 20, Rate: 10, Idle: 20 * time.Second,
		}))
	}

	var table bytes.Buffer
	loadtest.PrintTable(&table, results)
	t.Logf("through two Pushpin instances:\n%s", table.String())
}
