package loadtest

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestMessageRoundTrip(t *testing.T) {
	sent := time.Unix(1700000000, 123456789)
	text := formatMessage("ab12cd34", 3, 17, sent)
	m, ok := parseMessage(text)
	if !ok || m.run != "ab12cd34" || m.src != 3 || m.seq != 17 || !m.sent.Equal(sent) {
		t.Fatalf("parseMessage(%q) = %+v, %v", text, m, ok)
	}
	for _, bad := range []string{"", "hello", "L x 1 2", "L x 1 2 3 4", "M x 1 2 3", "L x -1 2 3", "L x 1 two 3", "L x 1 2 3.5"} {
		if _, ok := parseMessage(bad); ok {
			t.Errorf("parseMessage(%q) accepted it", bad)
		}
	}
}

func TestTrackerCountsDuplicatesReorderingAndLoss(t *testing.T) {
	var progress atomic.Int64
	tr := newTracker(2, 3, &progress)
	at := time.Unix(100, 0)
	got := func(src, seq int) bool {
		return tr.record(message{src: src, seq: seq, sent: at.Add(-time.Duration(seq+1) * time.Millisecond)}, at)
	}
	got(0, 0)
	got(0, 2)
	got(0, 1) // after 2: out of order
	got(0, 2) // again: duplicate
	got(1, 0)
	if ok := got(1, 3); ok {
		t.Error("seq 3 of 3 was accepted")
	}
	if ok := got(2, 0); ok {
		t.Error("src 2 of 2 was accepted")
	}
	if tr.unique != 4 || tr.dups != 1 || tr.ooo != 1 || tr.unexpected != 2 || progress.Load() != 4 {
		t.Errorf("unique %d dups %d ooo %d unexpected %d progress %d", tr.unique, tr.dups, tr.ooo, tr.unexpected, progress.Load())
	}
	if tr.complete() {
		t.Error("complete with (1,1) and (1,2) missing")
	}
	got(1, 1)
	got(1, 2)
	if !tr.complete() {
		t.Error("not complete with everything received")
	}

	r := &Result{Scenario: "x", Clients: 1, Expected: 7}
	summarize(r, []*tracker{tr}, &errorLog{})
	if r.Delivered != 6 || r.Lost() != 1 || r.Duplicates != 1 || r.OutOfOrder != 1 {
		t.Errorf("summary %+v", r)
	}
	if err := r.Err(); err == nil || !strings.Contains(err.Error(), "1 of 7 deliveries lost") {
		t.Errorf("Err() = %v", err)
	}
	if r.P50 != 2*time.Millisecond || r.Max != 3*time.Millisecond {
		t.Errorf("latency p50 %v max %v", r.P50, r.Max)
	}
}

func TestResultErr(t *testing.T) {
	ok := &Result{Scenario: "s", Expected: 10, Delivered: 10}
	if err := ok.Err(); err != nil {
		t.Errorf("a clean result: %v", err)
	}
	if err := (&Result{Scenario: "s"}).Err(); err == nil {
		t.Error("a result that expected nothing passes")
	}
	errs := &errorLog{}
	for i := range maxErrorSamples + 3 {
		errs.add("error %d", i)
	}
	bad := &Result{Scenario: "s", Expected: 10, Delivered: 10}
	summarize(bad, nil, errs)
	if bad.Errors != maxErrorSamples+3 || len(bad.ErrorSamples) != maxErrorSamples || bad.Err() == nil {
		t.Errorf("errors %d, samples %q", bad.Errors, bad.ErrorSamples)
	}
	var out bytes.Buffer
	PrintTable(&out, []*Result{ok, bad})
	if lines := strings.Split(strings.TrimSpace(out.String()), "\n"); len(lines) != 3 || !strings.HasSuffix(lines[1], "ok") || !strings.HasSuffix(lines[2], "FAILED") {
		t.Errorf("table:\n%s", out.String())
	}
}

func TestPercentiles(t *testing.T) {
	var d []time.Duration
	for i := 100; i >= 1; i-- {
		d = append(d, time.Duration(i)*time.Millisecond)
	}
	p50, p99, maxD := percentiles(d)
	if p50 != 50*time.Millisecond || p99 != 99*time.Millisecond || maxD != 100*time.Millisecond {
		t.Errorf("p50 %v p99 %v max %v", p50, p99, maxD)
	}
	if a, b, c := percentiles(nil); a != 0 || b != 0 || c != 0 {
		t.Error("percentiles of nothing are not zero")
	}
	if a, b, c := percentiles([]time.Duration{7}); a != 7 || b != 7 || c != 7 {
		t.Error("percentiles of one sample")
	}
}

func TestPacerSpacesEvents(t *testing.T) {
	p := newPacer(200) // 5ms apart
	start := time.Now()
	for range 11 {
		if !p.wait(nil) {
			t.Fatal("wait returned false")
		}
	}
	if elapsed := time.Since(start); elapsed < 50*time.Millisecond {
		t.Errorf("11 events at 200/s took %v, want >= 50ms", elapsed)
	}
	done := make(chan struct{})
	close(done)
	slow := newPacer(0.1)
	slow.wait(done) // the first is due at once
	if slow.wait(done) {
		t.Error("wait did not stop when done was closed")
	}
	if !newPacer(0).wait(done) {
		t.Error("an unpaced pacer waits")
	}
}

func TestWaitDelivered(t *testing.T) {
	var progress atomic.Int64
	go func() {
		for range 5 {
			time.Sleep(5 * time.Millisecond)
			progress.Add(1)
		}
	}()
	if !waitDelivered(context.Background(), &progress, 5, time.Second) {
		t.Error("did not see 5 deliveries")
	}
	start := time.Now()
	if waitDelivered(context.Background(), &progress, 6, 100*time.Millisecond) {
		t.Error("reported a delivery that never came")
	}
	if time.Since(start) > time.Second {
		t.Error("the idle limit did not end the wait")
	}
}

func TestRequestCounter(t *testing.T) {
	var out bytes.Buffer
	c := NewRequestCounter(slog.NewTextHandler(&out, &slog.HandlerOptions{Level: slog.LevelWarn}))
	log := slog.New(c)
	log.Info("request", "method", "GET", "function", "LongpollFunction", "status", 200)
	log.With("x", 1).Info("request", "function", "LongpollFunction")
	log.Info("request", "function", "ChatFunction")
	log.Info("something else", "function", "ChatFunction")
	log.Warn("function failed", "function", "ChatFunction")
	if n := c.Count("LongpollFunction"); n != 2 {
		t.Errorf("LongpollFunction: %d", n)
	}
	if n := c.Count("ChatFunction"); n != 1 {
		t.Errorf("ChatFunction: %d", n)
	}
	if c.Count("Nothing") != 0 {
		t.Error("a function never seen has a count")
	}
	if s := out.String(); strings.Contains(s, "request") || !strings.Contains(s, "function failed") {
		t.Errorf("the next handler got %q: want only the warning", s)
	}
}

func TestEachLimited(t *testing.T) {
	var running, peak, total atomic.Int64
	eachLimited(50, 4, func(int) {
		n := running.Add(1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		time.Sleep(time.Millisecond)
		running.Add(-1)
		total.Add(1)
	})
	if total.Load() != 50 || peak.Load() > 4 {
		t.Errorf("ran %d, at most %d at a time", total.Load(), peak.Load())
	}
}

func TestKnee(t *testing.T) {
	ms := time.Millisecond
	for _, tc := range []struct {
		floor time.Duration
		step  KneeStep
		past  bool
	}{
		{2 * ms, KneeStep{P50: 4 * ms}, false},
		{2 * ms, KneeStep{P50: 8 * ms}, true},
		{20 * ms, KneeStep{P50: 30 * ms}, false},
		{20 * ms, KneeStep{P50: 41 * ms}, true},
		{20 * ms, KneeStep{P50: 20 * ms, Err: errors.New("3 lost")}, true},
	} {
		if got := pastKnee(tc.floor, tc.step); got != tc.past {
			t.Errorf("floor %v, step %+v: past the knee %v, want %v", tc.floor, tc.step, got, tc.past)
		}
	}
	k := Knee{Steps: []KneeStep{{Rate: 10}, {Rate: 20}, {Rate: 40}}, Rate: 40}
	if k.SafeRate() != 20 {
		t.Errorf("safe rate %g, want half the knee", k.SafeRate())
	}
	k.Rate = 0
	if k.SafeRate() != 40 {
		t.Errorf("safe rate %g without a knee, want the highest rate tried", k.SafeRate())
	}
}
