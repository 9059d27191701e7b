package main

import "fmt"

// Stream replay keys in (a)'s go test output: + plain or sse, + 0 or 100.
const streamReplay = "stream.BenchmarkInvokeReplay/event=stream-%s/replay=%d"

// streamReplays is (a)'s table of what a replay of 100 messages adds to a
// stream's whole invocation, per transport, from the same rounds: judged
// as the median of each round's replay over the same invocation at the
// newest (the hold alone, after one read of the channel's head).
func (b *bench) streamReplays(g *goBench) {
	s := b.r.section(fmt.Sprintf("(a) replay of 100 messages, stream and long-poll: go test -bench, median of %d rounds", b.o.count),
		"benchmark", "time/op", "allocs/op", "/ at the newest", "budget")
	for _, tc := range []struct {
		hold, full string
		budget     float64
	}{
		{fmt.Sprintf(streamReplay, "plain", 0), fmt.Sprintf(streamReplay, "plain", 100), budgetReplayPlainRatio},
		{fmt.Sprintf(streamReplay, "sse", 0), fmt.Sprintf(streamReplay, "sse", 100), budgetReplaySSERatio},
		{"longpoll.BenchmarkInvoke/event=longpoll-fresh/history=dir", "longpoll.BenchmarkReplay100", budgetReplayLongpollRatio},
	} {
		hold, full := tc.hold, tc.full
		for _, key := range []string{hold, full} {
			v, ok := g.median(key)
			if !ok {
				s.row(key, "did not run", "", "", "")
				b.r.misses = append(b.r.misses, key+" did not run")
				continue
			}
			allocs, _ := medianOf(g.allocs[key])
			if key == hold {
				s.row(key, ns(v), fmt.Sprint(allocs), "", "")
				continue
			}
			x := g.pairedRatio(full, hold)
			s.row(key, ns(v), fmt.Sprint(allocs), b.r.judge(key+" / at the newest", times(x), x <= tc.budget), fmt.Sprintf("≤ %.2g×", tc.budget))
		}
	}
	s.note("stream.BenchmarkInvokeReplay: stream.BenchmarkInvoke's path (edge.NewHTTPHandler, Grip-Sig checked) with HISTORY_DIR holding 100 messages of 100 bytes on the channel: replay=0 a new client (held at the newest id), replay=100 a client resuming from id 0 (?last_id=0 plain, Last-Event-ID: 0 for SSE), whose response carries the 100 messages before the hold. longpoll.BenchmarkReplay100: a poll with last_id=0 on a channel of 100 messages, answered at once with the 100, over a fresh poll held at the newest of 3 (history=dir). The local stack's directory store stands for DynamoDB, whose round trip a deployed replay pays instead (one Query for the 100).")
}
