package main

// The Node faas-grip 2.0 figures the report quotes for comparison. make bench
// does not measure them (the Node library is not installed where it runs):
// they are the earlier measurement the first budgets were set against,
// quoted when make bench was written on 2026-11-21; the machine they were
// taken on was not recorded. Compare them with care.
const (
	nodeSource    = "quoted from an earlier measurement (quoted since 2026-11-21, machine not recorded), not measured in this run"
	nodeColdStart = "Node, " + nodeSource + ": a Node process that starts, loads faas-grip 2.0 and handles one event took about 92 ms and 48 MiB."
	nodeChat      = "Node, " + nodeSource + ": faas-grip 2.0 took about 6.2 µs to handle a 1-message chat event and 125 µs for a 100-message batch."
)
