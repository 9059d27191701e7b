package main

// The performance budgets. Times are judged as ratios to a floor measured in
// the same run, samples alternating, because these machines change between
// sessions (Intel one day, AMD the next; a process start varied 4× between
// them) and are shared: a floor sees what the machine does to the function.
// Sizes and memory do not depend on the CPU and stay absolute.
const (
	// (a) ns/op of ws.BenchmarkChatHandle*, against the empty function's
	// invocation through the runtime's JSON path on the same event
	// (floor.BenchmarkInvoke). TODO
	budgetChat1Ratio   = 99.0
	budgetChat100Ratio = 99.0

	// (b) TODO
	budgetColdStartRatio = 99.0
	budgetStartOneRatio  = 99.0

	// (d) TODO
	budgetInvokeRatio = 99.0

	// (e) TODO
	budgetE2ERatio = 99.0

	// Peak RSS after one event: Go's runtime and heap at the first event,
	// the same on any amd64 or arm64 CPU; the floor takes about 7 MiB.
	budgetRSSOne = 16 << 20

	// A bootstrap's size (linux/arm64, as sam build makes it) depends on the
	// code and the toolchain, not the machine: 8 MiB keeps the zip small and
	// catches a heavy new dependency.
	budgetBootstrap = 8 << 20
)
