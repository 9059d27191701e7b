package main

import (
	"strings"
	"testing"
)

// The metrics table judges the line against the floor and the allocations
// metrics on adds to off, each against its budget.
func TestMetricLinesJudged(t *testing.T) {
	for _, tc := range []struct {
		name             string
		line, allocsOn   float64
		pass, wantMisses int
	}{
		{"within", 1000, 136, 2, 0},
		{"a slow line", 20000, 136, 1, 1},
		{"a round lifted by a GC", 1000, 137, 2, 0},
		{"allocations added", 1000, 139, 1, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := &goBench{
				nsOp:   map[string][]float64{metricsLine: {tc.line}, metricsOff: {40000}, metricsOn: {41000}},
				allocs: map[string][]float64{metricsLine: {0}, metricsOff: {136}, metricsOn: {tc.allocsOn}},
			}
			b := &bench{r: &report{}, o: options{count: 1}}
			b.metricLines(g, 40000, true)
			var text strings.Builder
			b.r.writeText(&text)
			if b.r.pass != tc.pass || len(b.r.misses) != tc.wantMisses {
				t.Errorf("pass %d, misses %q; want %d and %d:\n%s", b.r.pass, b.r.misses, tc.pass, tc.wantMisses, text.String())
			}
		})
	}
}
