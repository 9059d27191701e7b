package main

// The Node faas-grip 2.0 figures the report quotes for comparison. make bench
// does not measure them (the Node library is not installed where it runs):
// they are the earlier measurement the first budgets were set against,
// quoted when make bench was written on 2026-11-21; the machine they were
// taken on was not recorded. Compare them with care.
const (
	nodeSource    = "not measured in this run: an earlier measurement, quoted since make bench was written (2026-11-21) on a machine that was not recorded"
	nodeColdStart = "Node faas-grip 2.0, " + nodeSource + ": a Node process that starts, loads the library and handles one event took about 92 ms and 48 MiB."
	nodeChat      = "Node faas-grip 2.0, " + nodeSource + ": it took about 6.2 µs to handle a 1-message chat event and 125 µs for a 100-message batch."
)
