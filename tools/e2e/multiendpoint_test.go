//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/faas-grip/faas-grip-go/internal/feed"
	"github.com/faas-grip/faas-grip-go/tools/devstack"
	"github.com/faas-grip/faas-grip-go/tools/template"
)

// Several endpoints, end to end: GRIP_URL names two Pushpin instances, B is stopped
// mid-run and started again. The real publish function reports the
// records B missed; fed them again, as SQS redelivers them, it publishes
// them to B only. Every long-poll client of each instance gets every
// message exactly once, in order; A's stream clients (no history to hide
// a duplicate behind) too; and each instance's control API accepted each
// message exactly once.
//
// Pushpin 1.36, for the record: a held long-poll whose channel prev-id
// does not match an item's asks the origin again (which answers from the
// history), so long-poll clients are in order whatever the publish order.
// Streams and WebSockets get items as they come: an item whose prev-id is
// not the last one the instance saw waits up to 5 s for it, then goes out
// anyway. A stream client of B, which lost its connection with B anyway,
// would see the redelivered messages after newer ones; only A's streams
// are checked. Pushpin also drops an item whose id it saw in the last 60 s,
// which would hide a duplicate from A's streams: the recorders in front of
// the control APIs are what shows A never got one (without the delivery
// records A accepts each missed message three times here).
func TestRedeliveryReachesOnlyTheEndpointThatMissedIt(t *testing.T) {
	needs(t, "LongpollFunction", "PublishFunction", "StreamFunction")
	stack(t) // skips when Pushpin is missing
	ctx := testContext(t, 3*time.Minute)
	start := time.Now()

	historyDir := t.TempDir()
	logs := newLogBuffer()
	s, err := devstack.Start(ctx, devstack.Options{
		Dir:            root,
		Env:            map[string]string{"HISTORY_DIR": historyDir, "LONGPOLL_TIMEOUT": longpollTimeout.String()},
		Pushpins:       2,
		FunctionOutput: logs,
		PushpinOutput:  logs,
		Logger:         slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelWarn})),
	})
	if err != nil {
		t.Fatalf("starting a stack with two Pushpin instances: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("stopping the stack: %v", err)
		}
		if t.Failed() {
			t.Logf("--- the stack's log (last 32 KiB) ---\n%s", logs.tail(32<<10))
		}
	})
	proxies := s.Pushpins()
	urls := s.ProxyURLs()

	// The publish function of its own, sharing the stack's history, with
	// GRIP_URL naming a recorder in front of each instance's control API.
	recA := newControlRecorder(t, proxies[0].ControlURL())
	recB := newControlRecorder(t, proxies[1].ControlURL())
	publishFn := startPublishFunction(t, ctx, logs, recA.URL()+","+recB.URL(), historyDir)

	channel := uniqueChannel("multi")
	const total = 24
	var published []string // texts, in publish order
	// invoke feeds the function records (id, body), as SQS's event source
	// mapping does, and returns the ids it reported as failed.
	invoke := func(records []events.SQSMessage) []string {
		t.Helper()
		payload, _ := json.Marshal(events.SQSEvent{Records: records})
		out, err := publishFn.Invoke(ctx, payload)
		if err != nil {
			t.Fatalf("PublishFunction failed instead of reporting failures: %v", err)
		}
		var resp events.SQSEventResponse
		if err := json.Unmarshal(out, &resp); err != nil {
			t.Fatalf("response %s: %v", out, err)
		}
		var failed []string
		for _, f := range resp.BatchItemFailures {
			failed = append(failed, f.ItemIdentifier)
		}
		return failed
	}
	record := func(n int) events.SQSMessage {
		text := fmt.Sprintf("message %02d", n)
		return events.SQSMessage{
			MessageId:   fmt.Sprintf("%s-%02d", channel, n),
			Body:        `{"channel":"` + channel + `","text":"` + text + `"}`,
			EventSource: "aws:sqs",
		}
	}
	// publishNew publishes messages from..to, two per batch, and returns
	// the records that failed, for SQS to deliver again.
	publishNew := func(from, to int) (failed []events.SQSMessage) {
		for n := from; n <= to; n += 2 {
			batch := []events.SQSMessage{record(n)}
			if n+1 <= to {
				batch = append(batch, record(n+1))
			}
			for i := range batch {
				published = append(published, fmt.Sprintf("message %02d", n+i))
			}
			bad := invoke(batch)
			for _, r := range batch {
				if slices.Contains(bad, r.MessageId) {
					failed = append(failed, r)
				}
			}
		}
		return failed
	}

	// Streams first (they get what is published from then on), then
	// message 1, then long-polls starting from it (last_id 0).
	var streams []*lineReader
	for c := range 2 {
		st := openLineStream(t, ctx, urls[0]+"/stream?channel="+url.QueryEscape(channel))
		if first, ok := st.next(10 * time.Second); first != "streaming "+channel {
			t.Fatalf("stream A%d opened with %q (%v)", c+1, first, ok)
		}
		streams = append(streams, st)
	}
	// Pushpin registers a stream's subscription a few milliseconds after
	// it sends the stream's start.
	time.Sleep(500 * time.Millisecond)
	if failed := publishNew(1, 1); len(failed) != 0 {
		t.Fatalf("message 1 failed with both instances up: %v", failed)
	}
	pollers := []*longPoller{}
	for i, base := range urls {
		for c := range 3 {
			pollers = append(pollers, startLongPoller(ctx, fmt.Sprintf("long-poll %c%d", 'A'+i, c+1), base, channel, total))
		}
	}

	if failed := publishNew(2, 8); len(failed) != 0 {
		t.Fatalf("records failed with both instances up: %v", failed)
	}
	if err := s.StopPushpin(1); err != nil {
		t.Fatal(err)
	}
	t.Logf("instance B stopped after %d messages", len(published))
	missed := publishNew(9, 18)
	if len(missed) != 10 {
		t.Fatalf("with B stopped %d of 10 records failed, want all 10", len(missed))
	}
	// SQS delivers them again while B is still down: they fail again, and
	// A must not get them a second time.
	if again := invoke(missed); len(again) != len(missed) {
		t.Fatalf("redelivery with B still stopped: %d of %d failed, want all", len(again), len(missed))
	}
	if err := s.StartPushpin(ctx, 1); err != nil {
		t.Fatal(err)
	}
	t.Logf("instance B started again")
	redeliveries := 1 // the one while B was down
	for len(missed) > 0 {
		if redeliveries++; redeliveries > 5 {
			t.Fatalf("%d records still failing after %d redeliveries", len(missed), redeliveries-1)
		}
		var still []events.SQSMessage
		bad := invoke(missed)
		for _, r := range missed {
			if slices.Contains(bad, r.MessageId) {
				still = append(still, r)
			}
		}
		missed = still
	}
	if failed := publishNew(19, total); len(failed) != 0 {
		t.Fatalf("records failed after B came back: %v", failed)
	}

	// Every client has every message once, in order.
	for _, p := range pollers {
		got := p.wait(t, 45*time.Second)
		if !slices.Equal(got, published) {
			t.Errorf("%s got %d messages %q, want %d in order (%d polls failed while its instance was down)", p.name, len(got), got, len(published), p.failedPolls.Load())
		}
	}
	for i, st := range streams {
		var got []string
		for range published {
			l, ok := st.next(20 * time.Second)
			if !ok {
				break
			}
			got = append(got, l)
		}
		if !slices.Equal(got, published) {
			t.Errorf("stream A%d got %q, want %q", i+1, got, published)
		}
	}
	// A duplicate would arrive late: Pushpin holds an item whose prev-id
	// it has not seen for up to 5 s.
	time.Sleep(6 * time.Second)
	for i, st := range streams {
		if extra := st.drain(); len(extra) > 0 {
			t.Errorf("stream A%d received more: %q", i+1, extra)
		}
	}

	// Each control API accepted each message exactly once: A never got a
	// redelivered record, B got each of the ones it missed after it came back.
	totalDups := 0
	for name, rec := range map[string]*controlRecorder{"A": recA, "B": recB} {
		counts := rec.accepted(channel)
		dups := 0
		for id := 1; id <= total; id++ {
			switch n := counts[strconv.Itoa(id)]; {
			case n == 0:
				t.Errorf("instance %s never accepted message %d", name, id)
			case n > 1:
				dups += n - 1
				t.Errorf("instance %s accepted message %d %d times", name, id, n)
			}
		}
		t.Logf("instance %s: %d publish requests, %d refused or failed, %d messages accepted, %d duplicates", name, rec.requests.Load(), rec.failures.Load(), len(counts), dups)
		totalDups += dups
	}
	var polls, failedPolls int64
	for _, p := range pollers {
		polls += p.polls.Load()
		failedPolls += p.failedPolls.Load()
	}
	t.Logf("%d messages published (%d redelivery rounds for the %d B missed), %d per client to %d long-poll clients (%d polls, %d failed while B was down) and %d stream clients of A; %d duplicates accepted by the instances; %v",
		len(published), redeliveries, 10, len(published), len(pollers), polls, failedPolls, len(streams), totalDups, time.Since(start).Round(time.Millisecond))
}

// startPublishFunction runs the publish function in a process of its own,
// built as sam builds it, with the given GRIP_URL and history directory.
func startPublishFunction(t *testing.T, ctx context.Context, logs io.Writer, gripURL, historyDir string) interface {
	Invoke(context.Context, []byte) ([]byte, error)
} {
	t.Helper()
	tmpl, err := template.Load(filepath.Join(root, "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	def, ok := tmpl.Function("PublishFunction")
	if !ok {
		t.Fatal("template.yaml has no PublishFunction")
	}
	fn, err := devstack.NewFunction(def, buildPublishFunction(t, ctx), devstack.FunctionOptions{
		Extra:  map[string]string{"GRIP_URL": gripURL, "HISTORY_DIR": historyDir},
		Region: "us-east-1",
		Output: logs,
		Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelWarn})),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = fn.Close() })
	return fn
}

// controlRecorder stands in front of a Pushpin control API: it forwards
// publish requests and counts the items Pushpin accepted. When Pushpin is
// down it drops the connection, as a refused one would be.
type controlRecorder struct {
	srv      *http.Server
	ln       net.Listener
	upstream string
	requests atomic.Int64
	failures atomic.Int64
	mu       sync.Mutex
	items    map[string]int // "channel/id" -> times accepted
}

func newControlRecorder(t *testing.T, upstream string) *controlRecorder {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := &controlRecorder{ln: ln, upstream: upstream, items: map[string]int{}}
	client := &http.Client{Timeout: 10 * time.Second}
	r.srv = &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.requests.Add(1)
		body, _ := io.ReadAll(req.Body)
		out, _ := http.NewRequestWithContext(req.Context(), req.Method, r.upstream+req.URL.RequestURI(), strings.NewReader(string(body)))
		out.Header.Set("Content-Type", req.Header.Get("Content-Type"))
		resp, err := client.Do(out)
		if err != nil {
			r.failures.Add(1)
			if hj, ok := w.(http.Hijacker); ok {
				if conn, _, err := hj.Hijack(); err == nil {
					_ = conn.Close()
					return
				}
			}
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		answer, _ := io.ReadAll(resp.Body)
		if resp.StatusCode/100 == 2 {
			r.record(body)
		} else {
			r.failures.Add(1)
		}
		w.WriteHeader(resp.StatusCode)
		_, _ = w.Write(answer)
	})}
	go func() { _ = r.srv.Serve(ln) }()
	t.Cleanup(func() { _ = r.srv.Close() })
	return r
}

func (r *controlRecorder) URL() string { return "http://" + r.ln.Addr().String() }

func (r *controlRecorder) record(body []byte) {
	var req struct {
		Items []struct {
			Channel string `json:"channel"`
			ID      string `json:"id"`
		} `json:"items"`
	}
	if json.Unmarshal(body, &req) != nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, it := range req.Items {
		r.items[it.Channel+"/"+it.ID]++
	}
}

// accepted counts, by id, the items accepted on channel (its SSE copies
// are counted apart, under their own channel, and left out).
func (r *controlRecorder) accepted(channel string) map[string]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := map[string]int{}
	for k, n := range r.items {
		if id, ok := strings.CutPrefix(k, channel+"/"); ok && !strings.HasSuffix(k, feed.SSESuffix) {
			out[id] = n
		}
	}
	return out
}

// longPoller is a long-poll client resuming with last_id, as a browser
// would: a failed poll (its instance down) is tried again after a pause.
type longPoller struct {
	name        string
	mu          sync.Mutex
	texts       []string
	done        chan struct{}
	polls       atomic.Int64
	failedPolls atomic.Int64
}

func startLongPoller(ctx context.Context, name, base, channel string, want int) *longPoller {
	p := &longPoller{name: name, done: make(chan struct{})}
	go func() {
		defer close(p.done)
		lastID := "0"
		for len(p.got()) < want && ctx.Err() == nil {
			p.polls.Add(1)
			res, err := pollOnce(ctx, base, channel, lastID)
			if err != nil {
				p.failedPolls.Add(1)
				select {
				case <-ctx.Done():
				case <-time.After(200 * time.Millisecond):
				}
				continue
			}
			p.mu.Lock()
			p.texts = append(p.texts, res.texts()...)
			p.mu.Unlock()
			if res.LastID != "" {
				lastID = res.LastID
			}
		}
	}()
	return p
}

func (p *longPoller) got() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.texts)
}

// wait returns what the client received once it has all it wants, or
// what it had after d.
func (p *longPoller) wait(t *testing.T, d time.Duration) []string {
	t.Helper()
	select {
	case <-p.done:
	case <-time.After(d):
		t.Errorf("%s: still polling after %v", p.name, d)
	}
	return p.got()
}

func pollOnce(ctx context.Context, base, channel, lastID string) (poll, error) {
	q := url.Values{"channel": {channel}, "last_id": {lastID}}
	ctx, cancel := context.WithTimeout(ctx, longpollTimeout+10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/longpoll?"+q.Encode(), nil)
	if err != nil {
		return poll{}, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return poll{}, err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var p poll
	if resp.StatusCode != http.StatusOK {
		return poll{}, fmt.Errorf("status %d: %s", resp.StatusCode, body)
	}
	if err := json.Unmarshal(body, &p); err != nil {
		return poll{}, err
	}
	return p, nil
}

// lineReader reads an HTTP stream line by line.
type lineReader struct{ lines chan string }

func openLineStream(t *testing.T, ctx context.Context, u string) *lineReader {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		t.Fatalf("GET %s: status %d", u, resp.StatusCode)
	}
	r := &lineReader{lines: make(chan string, 1024)}
	go func() {
		defer close(r.lines)
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			if l := sc.Text(); l != "" && !strings.HasPrefix(l, ":") {
				r.lines <- l
			}
		}
	}()
	t.Cleanup(func() { resp.Body.Close() })
	return r
}

// next returns the next line, or false when none came within the time.
func (r *lineReader) next(within time.Duration) (string, bool) {
	select {
	case l, ok := <-r.lines:
		return l, ok
	case <-time.After(within):
		return "", false
	}
}

// drain returns the lines already received.
func (r *lineReader) drain() []string {
	var out []string
	for {
		select {
		case l, ok := <-r.lines:
			if !ok {
				return out
			}
			out = append(out, l)
		default:
			return out
		}
	}
}
