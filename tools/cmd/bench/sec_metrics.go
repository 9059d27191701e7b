package main

import "fmt"

// Metrics-line keys in (a)'s go test output.
const (
	metricsLine = "emf.BenchmarkEmit"
	metricsOff  = "chat.BenchmarkInvokeMetrics/event=chat-message/metrics=off"
	metricsOn   = "chat.BenchmarkInvokeMetrics/event=chat-message/metrics=on"
)

// metricLines is (a)'s third table, from the same rounds: what the EMF line
// a function writes per invocation costs. The line alone is judged against
// the floor; the chat's message invocation with metrics on is judged by the
// allocations it adds to the same invocation with them off, which do not
// depend on the machine (its time next to off's is information: the line's
// microsecond is below what a loaded machine lets two invocations resolve).
func (b *bench) metricLines(g *goBench, floor float64, floorOK bool) {
	s := b.r.section(fmt.Sprintf("(a) metrics lines (EMF), one per invocation: go test -bench, median of %d rounds", b.o.count),
		"benchmark", "time/op", "allocs/op", "/ floor", "/ metrics off", "budget")
	offAllocs, offOK := medianOf(g.allocs[metricsOff])
	for _, key := range []string{metricsLine, metricsOff, metricsOn} {
		v, ok := g.median(key)
		allocs, _ := medianOf(g.allocs[key])
		if !ok || !floorOK {
			s.row(key, "did not run", "", "", "", "")
			b.r.misses = append(b.r.misses, key+" did not run")
			continue
		}
		cells := []string{key, ns(v), fmt.Sprint(allocs), times(v / floor), "", ""}
		switch key {
		case metricsLine:
			cells[3] = b.r.judge(key+" / floor", times(v/floor), v/floor <= budgetMetricsLineRatio)
			cells[5] = fmt.Sprintf("≤ %.2g× floor", budgetMetricsLineRatio)
		case metricsOn:
			cells[4] = times(g.pairedRatio(key, metricsOff))
			added := allocs - offAllocs
			cells[2] = b.r.judge(key+" allocs over metrics off", fmt.Sprintf("%v (%+v)", allocs, added), offOK && added <= budgetMetricsAllocs)
			cells[5] = fmt.Sprintf("≤ %+d allocs over off", budgetMetricsAllocs)
		}
		s.row(cells...)
	}
	s.note("emf.BenchmarkEmit: emf.Writer.Emit of a chat message's line ({FunctionName, MessagesPublished}) to /dev/null with a write call, as to Lambda's stdout.")
	s.note("chat.BenchmarkInvokeMetrics: chat.BenchmarkInvoke's path on chat-message.json with Handler.Metrics nil (off, as outside Lambda) and set (on, the line written to /dev/null). / metrics off is the median of each round's on over off.")
}
