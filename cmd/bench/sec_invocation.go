package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// perInvocation is (a): go test -bench on the functions and the WebSocket
// packages, with the chat budgets checked on the ws benchmarks.
func (b *bench) perInvocation(ctx context.Context) error {
	g, err := runGoBench(ctx, b.root, b.o.count, b.o.benchtime)
	if err != nil {
		return err
	}
	s := b.r.section(fmt.Sprintf("(a) per-invocation cost: go test -bench, median of %d (raw output below, for benchstat)", b.o.count),
		"benchmark", "time/op", "budget")
	for _, c := range []struct {
		key    string
		budget float64
	}{
		{"ws.BenchmarkChatHandle1", budgetChat1},
		{"ws.BenchmarkChatHandle100", budgetChat100},
	} {
		v, ok := g.median(c.key)
		if !ok {
			s.row(c.key, "did not run", "≤ "+ns(c.budget))
			b.r.misses = append(b.r.misses, c.key+" did not run")
			continue
		}
		s.row(c.key, b.r.judge(c.key, ns(v), v <= c.budget), "≤ "+ns(c.budget))
	}
	// The whole invocation of each function on its main sample event.
	keys := make([]string, 0, len(g.nsOp))
	for k := range g.nsOp {
		if strings.Contains(k, "BenchmarkInvoke/") || strings.Contains(k, "BenchmarkHandle/") {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		v, _ := g.median(k)
		s.row(k, ns(v), "")
	}
	s.note("Invoke = the runtime's JSON path (lambda.NewHandler(...).Invoke: event JSON in, response JSON out); Handle = the handler alone on the decoded request. Publishing is a no-op.")
	s.raw = g.raw
	return nil
}
