package main

// The performance budgets. Times are judged as ratios to a floor measured in
// the same run, samples alternating, because these machines change between
// sessions (Intel one day, AMD the next; a process start varied 4× between
// them) and are shared with other builds: the floor sees what the machine
// does to the function. The ms and µs in the report are information.
// Sizes and memory do not depend on the CPU and stay absolute.
//
// Each ratio budget was set from a run on a 2-core AMD EPYC with other
// builds running (load average 8 to 18) and leaves room above it; the
// comment says what it still catches.
const (
	// (a) ws.BenchmarkChatHandle1 over floor.BenchmarkInvoke (an empty
	// function through the runtime's JSON path on the same chat event):
	// 0.03× loaded. 0.1× catches the WebSocket-over-HTTP work of one
	// message growing 3× (an extra copy or a regexp per request).
	budgetChat1Ratio = 0.10
	// (a) ws.BenchmarkChatHandle100 over the same floor: 0.28× loaded.
	// 0.75× catches a per-message cost growing 2.5× (allocating per frame).
	budgetChat100Ratio = 0.75

	// (a) clienttoken.BenchmarkVerify* over the same floor: one token
	// verified per request. HS256 is a hash and some JSON: 0.23× loaded;
	// 0.5× catches it doubling (the parser or key rebuilt per request, a
	// regexp on the header). RS256 (1.5×) and ES256 (3.4×) are public-key
	// maths, whose speed next to JSON decoding differs more between CPUs:
	// 4× and 6× catch a key fetched per request (a JWKS round trip, even
	// on loopback, is hundreds of µs) or a token verified twice, not a
	// slower CPU.
	budgetVerifyHS256Ratio = 0.5
	budgetVerifyRS256Ratio = 4
	budgetVerifyES256Ratio = 6
	// (a) stream.BenchmarkInvokeTokens, tokens on over tokens off, per
	// round: the verification's weight in a whole invocation. HS256: 1.3×
	// loaded (a token costs a third of an invocation); 2× catches it
	// costing a whole one. RS256: 4.7× loaded, one signature check costs
	// more than the rest of the invocation; 8× catches a second check or a
	// key fetch per request, not the CPU's RSA speed.
	budgetTokensHS256Ratio = 2
	budgetTokensRS256Ratio = 8

	// (a) emf.BenchmarkEmit over the floor: the metrics line a chat message
	// writes, with its write call: 0.03× to 0.12× (medians 0.065× and
	// 0.042× in two runs) at load average 12 to 18. 0.2× catches the line
	// built through encoding/json's maps again (37 allocations, several
	// times slower) or a write per metric instead of one line.
	budgetMetricsLineRatio = 0.2
	// (a) chat.BenchmarkInvokeMetrics, metrics on over off: allocations
	// added per invocation. The Writer reuses its buffer and the chat its
	// metrics array: none, on any machine. allocs/op is an average that a
	// GC emptying a pool can lift by one in a round; 2 still catches a
	// line that allocates per metric. The tests pin zero exactly (chat's
	// TestMetricsLineAllocatesNothing, emf's TestWriterReusesItsBuffer).
	budgetMetricsAllocs = 2
	// (a) chat.BenchmarkInvokeHistory, history on over off, per round: a
	// message appended to the local DirStore before it is published.
	// 3.3× loaded (medians 172 µs over 52 µs; the append is a file write
	// under flock). 8× catches a second append or a whole-history read per
	// message, not the disk.
	budgetChatHistoryRatio = 8.0
	// (a) chat.BenchmarkReplay100 over the floor: an OPEN replaying 100
	// messages, 1.22 ms over a 25 µs floor loaded (49×). 100× catches a
	// per-message history read or a copy of the response per frame.
	budgetChatReplay100Ratio = 100.0

	// (b) exec → first /next over the floor's: 0.9× to 1.7× loaded (the
	// publish function links the SQS SDK). 2.5× catches init work that
	// costs more than one and a half empty Go starts: a network call, a
	// config fetch or a large table built at init.
	budgetColdStartRatio = 2.5
	// (b) exec → response to the queued event, over the floor's: 1.0× to
	// 1.8× loaded; 2.5× for the same reasons, plus a slow first event.
	budgetStartOneRatio = 2.5

	// (d) one chat invocation through the Runtime API (with its publish, an
	// HTTP request the floor does not make) over the floor's: 1.9× loaded.
	// 3× catches a second round trip per invocation or a handler that
	// costs as much as the Runtime API itself.
	budgetInvokeRatio = 3.0

	// (e) chat p50 at N = 10 over Pushpin's own publish → client p50:
	// 1.08× (Intel, quiet) to 1.14× (AMD, loaded). 1.3× catches an added
	// delay of about 8 ms on a 25 ms floor (a timer, Nagle, a second hop).
	budgetE2ERatio = 1.3

	// Peak RSS after one event: Go's runtime and heap at the first event,
	// much the same on any amd64 or arm64 CPU; the floor takes about 6 MiB.
	budgetRSSOne = 16 << 20

	// A bootstrap's size (linux/arm64, as sam build makes it) depends on the
	// code and the toolchain, not the machine. Client tokens (golang-jwt's
	// RSA/ECDSA paths, keyfunc and jwkset) added about 0.37 MiB to every HTTP
	// function, taking the long-poll (which also links DynamoDB) to 8.0 MiB:
	// 9 MiB keeps the zip small and still catches a heavy new dependency
	// (the SDK's secretsmanager client alone is more than 1 MiB).
	budgetBootstrap = 9 << 20
)

// (a) stream.BenchmarkInvokeReplay: a stream resuming with 100 messages
// over a new client's stream at the newest, the median of each round's
// ratio. Loaded (2-core AMD EPYC Turin, load average 12): plain 5.4× (151 µs →
// 1.10 ms median), SSE 6.3× (230 µs → 1.60 ms): reading 100 entries and
// the bigger response. 12× catches the replay reading entry by entry (one
// store read each, some 100×) or framing it in quadratic time.
const (
	budgetReplayPlainRatio = 12
	budgetReplaySSERatio   = 12
	// longpoll.BenchmarkReplay100 over a fresh poll held at the newest:
	// 2.3x measured (178 µs over 76 µs, 200 iterations, quiet machine); a
	// history read per message would be far past 12x.
	budgetReplayLongpollRatio = 12
)
