package loadtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Result is what one scenario measured.
type Result struct {
	Scenario string
	Clients  int
	// Expected is clients × messages; Delivered counts distinct messages
	// received (a duplicate counts once here and once in Duplicates).
	Expected, Delivered int64
	// Duplicates are messages a client received again; OutOfOrder are
	// messages a client received after a later one of the same publisher.
	Duplicates, OutOfOrder int64
	// Errors are failed connections, requests and publishes, unexpected
	// status codes or messages (such as the chat's "error: ..."), and
	// clients that did not get going; ErrorSamples quotes the first few.
	Errors       int64
	ErrorSamples []string
	// Retried are requests that failed in a way a client retries (a 5xx
	// from the proxy, a dropped connection) and that it made again, with
	// nothing lost; RetrySamples quotes the first few. They are reported,
	// not counted as errors.
	Retried      int64
	RetrySamples []string
	// Latency is from send (or publish) to receipt, over every delivery.
	P50, P99, Max time.Duration
	// P99Budget, when set, is what P99 must stay under.
	P99Budget time.Duration
	// Duration is from the first send to the last delivery (or the timeout).
	Duration time.Duration
	// Notes say what else was seen, e.g. how long-polls were answered.
	Notes []string
}

// Lost is how many expected deliveries never arrived.
func (r *Result) Lost() int64 { return r.Expected - r.Delivered }

// Err says what is wrong with the result, or nil when every client got
// every message exactly once, in order, without errors.
func (r *Result) Err() error {
	var problems []string
	if r.Expected == 0 {
		problems = append(problems, "nothing was expected")
	}
	if lost := r.Lost(); lost != 0 {
		problems = append(problems, fmt.Sprintf("%d of %d deliveries lost", lost, r.Expected))
	}
	if r.Duplicates > 0 {
		problems = append(problems, fmt.Sprintf("%d duplicates", r.Duplicates))
	}
	if r.OutOfOrder > 0 {
		problems = append(problems, fmt.Sprintf("%d out of order", r.OutOfOrder))
	}
	if r.P99Budget > 0 && r.P99 > r.P99Budget {
		problems = append(problems, fmt.Sprintf("p99 %v over its budget of %v", round(r.P99), r.P99Budget))
	}
	if r.Errors > 0 {
		problems = append(problems, fmt.Sprintf("%d errors (%s)", r.Errors, strings.Join(r.ErrorSamples, "; ")))
	}
	if len(problems) == 0 {
		return nil
	}
	return errors.New(r.Scenario + ": " + strings.Join(problems, ", "))
}

// PrintTable writes one line per result under a header.
func PrintTable(w io.Writer, results []*Result) {
	fmt.Fprintf(w, "%-22s %7s %21s %5s %5s %6s %7s %9s %9s %9s %8s  %s\n",
		"scenario", "clients", "delivered/expected", "dup", "ooo", "errors", "retried", "p50", "p99", "max", "time", "")
	for _, r := range results {
		verdict := "ok"
		if r.Err() != nil {
			verdict = "FAILED"
		}
		fmt.Fprintf(w, "%-22s %7d %21s %5d %5d %6d %7d %9s %9s %9s %8s  %s\n",
			r.Scenario, r.Clients, fmt.Sprintf("%d/%d", r.Delivered, r.Expected), r.Duplicates, r.OutOfOrder, r.Errors, r.Retried,
			round(r.P50), round(r.P99), round(r.Max), r.Duration.Round(100*time.Millisecond), verdict)
	}
}

// round keeps three significant digits or so.
func round(d time.Duration) time.Duration {
	switch {
	case d >= time.Second:
		return d.Round(10 * time.Millisecond)
	case d >= 10*time.Millisecond:
		return d.Round(100 * time.Microsecond)
	default:
		return d.Round(10 * time.Microsecond)
	}
}

// message is one load message as clients receive it.
type message struct {
	run      string
	src, seq int
	sent     time.Time
}

// newRunID names a run, so that messages of another run (or another user
// of a shared channel) are told apart.
func newRunID() string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// formatMessage is the text a publisher sends: "L <run> <src> <seq> <ns>".
func formatMessage(run string, src, seq int, sent time.Time) string {
	return "L " + run + " " + strconv.Itoa(src) + " " + strconv.Itoa(seq) + " " + strconv.FormatInt(sent.UnixNano(), 10)
}

// parseMessage reads a text made by formatMessage; ok is false for any
// other text.
func parseMessage(text string) (m message, ok bool) {
	f := strings.Fields(text)
	if len(f) != 5 || f[0] != "L" {
		return m, false
	}
	src, err1 := strconv.Atoi(f[2])
	seq, err2 := strconv.Atoi(f[3])
	ns, err3 := strconv.ParseInt(f[4], 10, 64)
	if err1 != nil || err2 != nil || err3 != nil || src < 0 || seq < 0 {
		return m, false
	}
	return message{run: f[1], src: src, seq: seq, sent: time.Unix(0, ns)}, true
}

// tracker is what one client received. Only the client's own goroutine
// records; the totals are read once it has stopped.
type tracker struct {
	seen       [][]bool // [src][seq]
	maxSeq     []int    // highest seq received per src, -1 before any
	unique     int64
	dups, ooo  int64
	latencies  []time.Duration
	progress   *atomic.Int64 // unique deliveries of all clients
	unexpected int
}

func newTracker(sources, perSource int, progress *atomic.Int64) *tracker {
	t := &tracker{seen: make([][]bool, sources), maxSeq: make([]int, sources), progress: progress}
	for i := range t.seen {
		t.seen[i] = make([]bool, perSource)
		t.maxSeq[i] = -1
	}
	t.latencies = make([]time.Duration, 0, sources*perSource)
	return t
}

// record counts one delivery received at at; it reports false when src or
// seq is outside the run (an error the caller reports).
func (t *tracker) record(m message, at time.Time) bool {
	if m.src >= len(t.seen) || m.seq >= len(t.seen[m.src]) {
		t.unexpected++
		return false
	}
	if t.seen[m.src][m.seq] {
		t.dups++
		return true
	}
	t.seen[m.src][m.seq] = true
	if m.seq < t.maxSeq[m.src] {
		t.ooo++
	} else {
		t.maxSeq[m.src] = m.seq
	}
	t.unique++
	t.progress.Add(1)
	t.latencies = append(t.latencies, at.Sub(m.sent))
	return true
}

// complete reports whether every message has arrived.
func (t *tracker) complete() bool {
	n := 0
	for _, s := range t.seen {
		n += len(s)
	}
	return t.unique == int64(n)
}

// errorLog counts errors and keeps the first few.
type errorLog struct {
	mu      sync.Mutex
	n       int64
	samples []string
}

const maxErrorSamples = 5

func (e *errorLog) add(format string, args ...any) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.n++
	if len(e.samples) < maxErrorSamples {
		e.samples = append(e.samples, fmt.Sprintf(format, args...))
	}
}

// summarize fills r from the trackers and the error log.
func summarize(r *Result, trackers []*tracker, errs *errorLog) {
	var all []time.Duration
	for _, t := range trackers {
		r.Delivered += t.unique
		r.Duplicates += t.dups
		r.OutOfOrder += t.ooo
		all = append(all, t.latencies...)
	}
	errs.mu.Lock()
	r.Errors, r.ErrorSamples = errs.n, slices.Clone(errs.samples)
	errs.mu.Unlock()
	r.P50, r.P99, r.Max = percentiles(all)
}

// percentiles returns the 50th and 99th percentiles and the maximum
// (nearest rank); zeros for no samples.
func percentiles(d []time.Duration) (p50, p99, maxD time.Duration) {
	if len(d) == 0 {
		return 0, 0, 0
	}
	slices.Sort(d)
	rank := func(p float64) time.Duration {
		i := int(p*float64(len(d))+0.999999) - 1
		return d[max(0, min(i, len(d)-1))]
	}
	return rank(0.50), rank(0.99), d[len(d)-1]
}

// waitDelivered returns when progress reaches want, ctx ends, or nothing
// arrived for idle (after the last send); it reports whether want was reached.
func waitDelivered(ctx context.Context, progress *atomic.Int64, want int64, idle time.Duration) bool {
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	last, lastChange := progress.Load(), time.Now()
	for {
		n := progress.Load()
		if n >= want {
			return true
		}
		if n != last {
			last, lastChange = n, time.Now()
		} else if time.Since(lastChange) > idle {
			return false
		}
		select {
		case <-ctx.Done():
			return false
		case <-tick.C:
		}
	}
}

// pacer spaces events rate per second apart; rate <= 0 means no pause.
type pacer struct {
	start time.Time
	every time.Duration
	n     int
}

func newPacer(rate float64) *pacer {
	p := &pacer{start: time.Now()}
	if rate > 0 {
		p.every = time.Duration(float64(time.Second) / rate)
	}
	return p
}

// wait returns when the next event is due, or false when done closes first.
func (p *pacer) wait(done <-chan struct{}) bool {
	if p.every == 0 {
		return true
	}
	due := p.start.Add(time.Duration(p.n) * p.every)
	p.n++
	d := time.Until(due)
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-done:
		return false
	}
}
