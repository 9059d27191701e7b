package main

import (
	"context"
	"fmt"
)

// floorInvoke is the per-invocation floor: the empty function through the
// runtime's JSON path on the chat's sample event.
const floorInvoke = "floor.BenchmarkInvoke/event=chat-message"

// perInvocation is (a): go test -bench on the functions and the WebSocket
// packages, each figure next to the floor's from the same rounds, the chat
// budgets judged on the ws benchmarks.
func (b *bench) perInvocation(ctx context.Context) error {
	g, err := runGoBench(ctx, b.root, b.tmp, b.o.count, b.o.benchtime)
	if err != nil {
		return err
	}
	s := b.r.section(fmt.Sprintf("(a) per-invocation cost: go test -bench, median of %d rounds", b.o.count),
		"benchmark", "time/op", "allocs/op", "/ floor", "budget")
	floor, floorOK := g.median(floorInvoke)
	row := func(key string, budget float64) {
		v, ok := g.median(key)
		if !ok || !floorOK {
			s.row(key, "did not run", "", "", "")
			b.r.misses = append(b.r.misses, key+" did not run")
			return
		}
		allocs, _ := medianOf(g.allocs[key])
		if budget == 0 {
			s.row(key, ns(v), fmt.Sprint(allocs), times(v/floor), "")
			return
		}
		s.row(key, ns(v), fmt.Sprint(allocs), b.r.judge(key+" / floor", times(v/floor), v/floor <= budget), fmt.Sprintf("≤ %.2g×", budget))
	}
	row(floorInvoke, 0)
	row("ws.BenchmarkChatHandle1", budgetChat1Ratio)
	row("ws.BenchmarkChatHandle100", budgetChat100Ratio)
	// Each function on its main sample event: the runtime's whole JSON
	// path, and the handler alone.
	for _, k := range []string{"chat.%s/event=chat-message", "chat.%s/event=chat-message-100",
		"stream.%s/event=stream-plain", "longpoll.%s/event=longpoll-fresh/history=none", "publish.%s/event=publish-direct"} {
		row(fmt.Sprintf(k, "BenchmarkInvoke"), 0)
		row(fmt.Sprintf(k, "BenchmarkHandle"), 0)
	}
	s.note("floor: %s, an empty function (returns its input) through lambda.NewHandler(h).Invoke(ctx, events/chat-message.json), the runtime's JSON path every Go function pays; / floor is time/op over the floor's. Each round runs every package's benchmarks once, so the floor's samples alternate with the others'.", floorInvoke)
	s.note("ws.BenchmarkChatHandle*: the chat's WebSocket-over-HTTP work on a request with a handful of headers (decode, messages, response; no publish), as in the Node measurement below.")
	s.note("BenchmarkInvoke: the runtime's JSON path, the function as deployed, edge.NewHTTPHandler(...).Invoke(ctx, eventJSON), Grip-Sig checked; BenchmarkHandle: the handler alone on the decoded request. Publishing is a no-op in both.")
	s.note(nodeChat)
	s.note("go test's own output follows in the text report: save two runs and compare them with benchstat.")
	s.raw = g.raw
	return nil
}
