package main

import "fmt"

// Chat-history keys in (a)'s go test output.
const (
	chatHistoryOff = "chat.BenchmarkInvokeHistory/event=chat-message/history=off"
	chatHistoryOn  = "chat.BenchmarkInvokeHistory/event=chat-message/history=on"
	chatReplay100  = "chat.BenchmarkReplay100"
)

// chatHistory is (a)'s table of what the chat's history costs, from the
// same rounds: a message's whole invocation with history on over off (per
// round), and an OPEN that replays 100 messages over the floor.
func (b *bench) chatHistory(g *goBench, floor float64, floorOK bool) {
	s := b.r.section(fmt.Sprintf("(a) chat history: go test -bench, median of %d rounds", b.o.count),
		"benchmark", "time/op", "allocs/op", "/ floor", "/ history off", "budget")
	off, offOK := g.median(chatHistoryOff)
	for _, key := range []string{chatHistoryOff, chatHistoryOn, chatReplay100} {
		v, ok := g.median(key)
		if !ok || !floorOK || !offOK {
			s.row(key, "did not run", "", "", "", "")
			b.r.misses = append(b.r.misses, key+" did not run")
			continue
		}
		allocs, _ := medianOf(g.allocs[key])
		cells := []string{key, ns(v), fmt.Sprint(allocs), times(v / floor), times(v / off), ""}
		switch key {
		case chatHistoryOn:
			x := g.pairedRatio(key, chatHistoryOff)
			cells[4] = b.r.judge(key+" / history off", times(x), x <= budgetChatHistoryRatio)
			cells[5] = fmt.Sprintf("≤ %.2g× history off", budgetChatHistoryRatio)
		case chatReplay100:
			cells[3] = b.r.judge(key+" / floor", times(v/floor), v/floor <= budgetChatReplay100Ratio)
			cells[5] = fmt.Sprintf("≤ %.2g× floor", budgetChatReplay100Ratio)
		}
		s.row(cells...)
	}
	s.note("chat.BenchmarkInvokeHistory: chat.BenchmarkInvoke's path on chat-message.json with CHAT_HISTORY off and on; on, the message is appended to a local DirStore (a file append under flock) before it is published. / history off is the median of each round's on over off. Deployed, the append is a DynamoDB TransactGetItems and TransactWriteItems instead, a few milliseconds of round trips that this does not measure.")
	s.note("chat.BenchmarkReplay100: an OPEN with ?last_id= 100 messages behind, the whole invocation: the history read (feed.ReadReplay: Last, then Since on the DirStore), 100 message frames, the WebSocket-over-HTTP response and its base64 in the event's answer.")
}
