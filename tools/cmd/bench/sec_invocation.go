package main

import (
	"context"
	"fmt"
	"strings"
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
	b.clientTokens(g, floor, floorOK)
	b.metricLines(g, floor, floorOK)
	b.chatHistory(g, floor, floorOK)
	b.streamReplays(g)
	s.raw = g.raw
	return nil
}

// Client-token keys in (a)'s go test output.
const (
	tokensOff = "stream.BenchmarkInvokeTokens/event=stream-plain/tokens=off"
	tokensOn  = "stream.BenchmarkInvokeTokens/event=stream-plain/tokens=" // + HS256, RS256
)

// clientTokens is (a)'s second table, from the same rounds: what verifying
// a client token costs per request, alone (judged against the floor) and in
// the stream's whole invocation (judged against the same invocation with
// tokens off).
func (b *bench) clientTokens(g *goBench, floor float64, floorOK bool) {
	s := b.r.section(fmt.Sprintf("(a) client tokens, verified per request: go test -bench, median of %d rounds", b.o.count),
		"benchmark", "time/op", "allocs/op", "/ floor", "/ tokens off", "budget")
	off, offOK := g.median(tokensOff)
	row := func(key string, over float64, overOK bool, budget float64, of string) {
		v, ok := g.median(key)
		if !ok || !floorOK || !overOK {
			s.row(key, "did not run", "", "", "", "")
			b.r.misses = append(b.r.misses, key+" did not run")
			return
		}
		allocs, _ := medianOf(g.allocs[key])
		cells := []string{key, ns(v), fmt.Sprint(allocs), times(v / floor), "", ""}
		overOff := v / off
		if strings.HasPrefix(key, tokensOn) {
			overOff = g.pairedRatio(key, tokensOff)
		}
		if offOK {
			cells[4] = times(overOff)
		}
		if budget > 0 {
			x, col := v/over, 3
			if of == "tokens off" {
				x, col = overOff, 4
			}
			cells[col] = b.r.judge(key+" / "+of, times(x), x <= budget)
			cells[5] = fmt.Sprintf("≤ %.2g× %s", budget, of)
		}
		s.row(cells...)
	}
	row("clienttoken.BenchmarkVerifyHS256", floor, floorOK, budgetVerifyHS256Ratio, "floor")
	row("clienttoken.BenchmarkVerifyRS256", floor, floorOK, budgetVerifyRS256Ratio, "floor")
	row("clienttoken.BenchmarkVerifyES256", floor, floorOK, budgetVerifyES256Ratio, "floor")
	row(tokensOff, floor, floorOK, 0, "")
	row(tokensOn+"HS256", off, offOK, budgetTokensHS256Ratio, "tokens off")
	row(tokensOn+"RS256", off, offOK, budgetTokensRS256Ratio, "tokens off")
	s.note("clienttoken.BenchmarkVerify*: Verifier.Verify on an Authorization header (parse, signature, claims), the work a stream, long-poll or chat request pays with tokens on; RS256 and ES256 keys come from a JWKS fetched once, as at a cold start.")
	s.note("stream.BenchmarkInvokeTokens: stream.BenchmarkInvoke's path (edge.NewHTTPHandler, Grip-Sig checked) on stream-plain.json with an Authorization: Bearer header, the function configured by CLIENT_TOKEN_* as deployed: off (the header ignored), an HS256 secret, or a JWKS (RS256, served on loopback). / tokens off is the median of each round's time/op over the off case's in the same round (the three cases run back to back in one process, so load that comes and goes between rounds cancels): the verification's weight in a whole invocation. For the Verify rows it is their time/op over the off invocation's median.")
	s.note("%s", tokensBeforeAfter)
}
