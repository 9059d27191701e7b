package main

import (
	"strings"
	"testing"
	"time"
)

func TestParseGoBench(t *testing.T) {
	out := `goos: linux
goarch: amd64
pkg: github.com/faas-grip/faas-grip-go/internal/grip/ws
cpu: AMD EPYC
BenchmarkChatHandle1-2     	 3206902	       372.7 ns/op	    1040 B/op	       4 allocs/op
BenchmarkChatHandle1-2     	 3206902	       380.0 ns/op	    1040 B/op	       4 allocs/op
BenchmarkChatHandle1-2     	 3206902	       360.0 ns/op	    1040 B/op	       4 allocs/op
PASS
ok  	github.com/faas-grip/faas-grip-go/internal/grip/ws	3.667s
pkg: github.com/faas-grip/faas-grip-go/functions/chat
BenchmarkInvoke/event=chat-message-2   100   9547 ns/op   8146 B/op   42 allocs/op
`
	g := parseGoBench([]byte(out))
	if v, ok := g.median("ws.BenchmarkChatHandle1"); !ok || v != 372.7 {
		t.Errorf("median = %v, %v; want 372.7", v, ok)
	}
	if _, ok := g.median("chat.BenchmarkInvoke/event=chat-message"); !ok {
		t.Errorf("sub-benchmark not parsed: %v", g.nsOp)
	}
	if strings.Contains(g.raw, "PASS") || !strings.Contains(g.raw, "pkg: ") || !strings.Contains(g.raw, "cpu: ") {
		t.Errorf("raw output for benchstat:\n%s", g.raw)
	}
}

func TestPercentile(t *testing.T) {
	var d []time.Duration
	for i := 1; i <= 100; i++ {
		d = append(d, time.Duration(i))
	}
	if p := percentile(d, 50); p != 50 {
		t.Errorf("p50 = %v", p)
	}
	if p := percentile(d, 99); p != 99 {
		t.Errorf("p99 = %v", p)
	}
	if p := median([]time.Duration{3, 1, 2}); p != 2 {
		t.Errorf("median = %v", p)
	}
	if percentile(nil, 50) != 0 || medianInt(nil) != 0 || medianInt([]int64{5, 1, 3}) != 3 {
		t.Error("empty or odd inputs")
	}
}

func TestReportJudges(t *testing.T) {
	r := &report{}
	s := r.section("x", "a", "b")
	s.row("1", r.judge("one", "1 ms", true))
	s.row("2", r.judge("two", "9 ms", false))
	var text, md strings.Builder
	r.writeText(&text)
	r.writeMarkdown(&md)
	if r.pass != 1 || len(r.misses) != 1 || !strings.Contains(text.String(), "MISS two = 9 ms") {
		t.Errorf("report:\n%s", text.String())
	}
	if !strings.Contains(md.String(), "| 2 | 9 ms MISS |") {
		t.Errorf("markdown:\n%s", md.String())
	}
}

// On/off ratios pair the samples of each round, so a slow round weighs on both.
func TestPairedRatio(t *testing.T) {
	g := &goBench{nsOp: map[string][]float64{"on": {20, 200, 30}, "off": {10, 100, 10}, "odd": {50}}}
	if r := g.pairedRatio("on", "off"); r != 2 {
		t.Errorf("paired ratio = %v, want 2 (the median of 2, 2, 3)", r)
	}
	if r := g.pairedRatio("odd", "off"); r != 5 {
		t.Errorf("unpaired ratio = %v, want the ratio of medians 50/10", r)
	}
}
