package main

// tokensBeforeAfter is what tokens off cost before and after they were wired
// into the functions (464eb46): a one-off comparison of two commits, which
// make bench cannot repeat (it measures one tree), quoted as information
// like the Node figures.
const tokensBeforeAfter = "Tokens off, before and after they were wired, not measured in this run: BenchmarkInvoke at a4a9cb8 (the commit before 464eb46) and at fa77cc6, " +
	"test binaries alternating, 6 rounds each, benchstat, on this 2-core AMD EPYC at load average 11 to 14 (2026-12-02): " +
	"stream-plain 95.5 µs ± 17% before, 119 µs ± 185% after (p = 1.00, no difference found); chat-message 127 µs ± 221% before, 62.0 µs ± 247% after (p = 0.18); " +
	"CPU time per invocation (user + sys of 5000 invocations less one, 8 rounds): stream 37.0 µs ± 23% before, 42.1 µs ± 53% after (p = 0.57), chat 44.2 µs ± 17% before, 48.4 µs ± 11% after (p = 0.065). " +
	"Allocations are identical (stream 126, chat 136 per invocation; bytes within 0.03%): tokens off, the request meets a nil Verifier, which returns at once. " +
	"The load left the times unable to resolve 10% either way."
