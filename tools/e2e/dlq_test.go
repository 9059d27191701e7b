//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package e2e

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/faas-grip/faas-grip-go/tools/devstack"
	"github.com/faas-grip/faas-grip-go/tools/devstack/sqspoll"
	"github.com/faas-grip/faas-grip-go/tools/moto"
	"github.com/faas-grip/faas-grip-go/tools/template"
)

// The template's SQS path, end to end: the real publish function, fed by a
// local event source mapping from moto_server's SQS, with the template's
// queues (a 1s visibility timeout and maxReceiveCount 2 instead of 180s
// and 5, to keep it short). Valid messages are published and deleted;
// invalid ones, and valid ones while the GRIP endpoint fails, are
// reported, received again, and after maxReceiveCount moved by SQS to the
// dead-letter queue: exactly those, no others.
func TestDeadLetterQueue(t *testing.T) {
	needs(t, "PublishFunction", "StreamFunction")
	ctx := testContext(t, 50*time.Second)
	endpoint := moto.Start(t)
	bin := buildPublishFunction(t, ctx)

	// Pushpin unreachable or failing: every message keeps failing, so every
	// one, valid or not, ends in the dead-letter queue.
	for _, tc := range []struct {
		name    string
		gripURL func(t *testing.T, requests *atomic.Int32) string
	}{
		{"GRIP endpoint answering 503", func(t *testing.T, requests *atomic.Int32) string {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				requests.Add(1)
				io.Copy(io.Discard, r.Body)
				http.Error(w, "unavailable", http.StatusServiceUnavailable)
			}))
			t.Cleanup(srv.Close)
			return srv.URL
		}},
		{"GRIP endpoint refusing connections", func(t *testing.T, _ *atomic.Int32) string {
			l, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			addr := l.Addr().String()
			l.Close() // nothing listens there now
			return "http://" + addr
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var requests atomic.Int32
			m := newMapping(t, ctx, endpoint, bin, tc.gripURL(t, &requests))
			ch := uniqueChannel("dlq")
			ids := m.send(t, ctx,
				`{"channel":"`+ch+`","text":"valid 1"}`,
				`{"channel":"`+ch+`"}`, // no text
				`{"channel":"`+ch+`","text":"valid 2"}`,
				`{"channel":`, // truncated JSON
			)
			m.run(t, nil)
			m.waitSettled(t, ctx, 4)

			if dead := m.dead(t, ctx); !maps.Equal(dead, ids) {
				t.Errorf("dead-letter queue holds %v, want every message %v", dead, ids)
			}
			// Each was reported by the function (not dropped by an error of
			// the whole invocation) each time it was received.
			want := map[string]int{}
			for id := range maps.Values(ids) {
				want[id] = 2
			}
			if got := m.reported(); !maps.Equal(got, want) {
				t.Errorf("reported as batch item failures %v times, want %v", got, want)
			}
			if got := m.deleted(); len(got) != 0 {
				t.Errorf("deleted %v, want none", got)
			}
			if strings.Contains(tc.name, "503") && requests.Load() == 0 {
				t.Error("the function never tried the GRIP endpoint")
			}
		})
	}

	// Through the stack's Pushpin, behind a switch: failing (503) for the
	// first batch, then passing publishes through. The valid messages fail
	// once, come back and are delivered exactly once; the invalid ones go
	// to the dead-letter queue.
	t.Run("GRIP endpoint failing, then Pushpin", func(t *testing.T) {
		t.Parallel()
		s := stack(t)
		control, err := url.Parse(s.ControlURL())
		if err != nil {
			t.Fatal(err)
		}
		var failing atomic.Bool
		failing.Store(true)
		pass := httputil.NewSingleHostReverseProxy(control)
		sw := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if failing.Load() {
				io.Copy(io.Discard, r.Body)
				http.Error(w, "unavailable", http.StatusServiceUnavailable)
				return
			}
			pass.ServeHTTP(w, r)
		}))
		t.Cleanup(sw.Close)
		// The stack's GRIP_URL (its verify key and issuer), at the switch.
		grip, err := url.Parse(s.GripURL())
		if err != nil {
			t.Fatal(err)
		}
		grip.Host = strings.TrimPrefix(sw.URL, "http://")

		m := newMapping(t, ctx, endpoint, bin, grip.String())
		ch := uniqueChannel("dlq")
		stream := openStream(t, ctx, "/stream?channel="+ch, nil)
		if got := stream.next(); got != "streaming "+ch {
			t.Fatalf("stream opened with %q", got)
		}
		ids := m.send(t, ctx,
			`{"channel":"`+ch+`","text":"first"}`,
			`{"channel":"`+ch+`","text":"bad","id":"7"}`, // text messages take ids from the history
			`{"channel":"`+ch+`","text":"second"}`,
			`{"channel":"a b","text":"bad channel"}`,
		)
		var batches atomic.Int32
		m.run(t, func(sqspoll.Batch) {
			if batches.Add(1) == 1 {
				failing.Store(false)
			}
		})
		m.waitSettled(t, ctx, 2)

		valid := []string{ids[`{"channel":"`+ch+`","text":"first"}`], ids[`{"channel":"`+ch+`","text":"second"}`]}
		invalid := map[string]string{}
		for body, id := range ids {
			if !slices.Contains(valid, id) {
				invalid[body] = id
			}
		}
		if first := m.batch(0); len(first.Event.Records) != 4 || first.Err != nil || len(first.Deleted) != 0 {
			t.Fatalf("first batch: %d records, error %v, deleted %v; want all 4 reported, none deleted",
				len(first.Event.Records), first.Err, first.Deleted)
		}
		if dead := m.dead(t, ctx); !maps.Equal(dead, invalid) {
			t.Errorf("dead-letter queue holds %v, want the invalid messages %v", dead, invalid)
		}
		if got := sortedCopy(m.deleted()); !slices.Equal(got, sortedCopy(valid)) {
			t.Errorf("deleted %v, want the valid messages %v", got, valid)
		}
		want := map[string]int{valid[0]: 1, valid[1]: 1}
		for id := range maps.Values(invalid) {
			want[id] = 2
		}
		if got := m.reported(); !maps.Equal(got, want) {
			t.Errorf("reported %v times, want %v (valid ones while the endpoint failed, invalid ones each time)", got, want)
		}

		// Delivered exactly once, in the order of the batch.
		for _, w := range []string{"first", "second"} {
			if got := stream.next(); got != w {
				t.Fatalf("stream got %q, want %q", got, w)
			}
		}
		quiet := time.After(500 * time.Millisecond)
	listen:
		for {
			select {
			case l, ok := <-stream.lines:
				if !ok {
					break listen
				}
				if l != "" && !strings.HasPrefix(l, ":") {
					t.Errorf("stream got %q after both messages", l)
				}
			case <-quiet:
				break listen
			}
		}
	})
}

// buildPublishFunction builds the publish function as the stack does, for
// this machine.
func buildPublishFunction(t *testing.T, ctx context.Context) string {
	t.Helper()
	tmpl, err := template.Load(filepath.Join(root, "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	fn, ok := tmpl.Function("PublishFunction")
	if !ok {
		t.Fatal("template.yaml has no PublishFunction")
	}
	start := time.Now()
	bins, err := devstack.BuildFunctions(ctx, root, []*template.Function{fn}, t.TempDir(), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("built the publish function in %v", time.Since(start).Round(time.Millisecond))
	return bins["PublishFunction"]
}

// mapping is the template's PublishFunction event source on moto_server,
// with queues of its own, feeding a publish function process of its own.
type mapping struct {
	client     *sqs.Client
	work, dlq  *sqspoll.CreatedQueue
	cfg        sqspoll.Config
	logs       *logBuffer
	mu         sync.Mutex
	batches    []sqspoll.Batch
	pollerDone chan struct{}
}

func newMapping(t *testing.T, ctx context.Context, endpoint, bin, gripURL string) *mapping {
	t.Helper()
	tmpl, err := template.Load(filepath.Join(root, "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	fnDef, _ := tmpl.Function("PublishFunction")
	sqsTmpl, err := sqspoll.LoadTemplate(filepath.Join(root, "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var es *sqspoll.EventSource
	for i := range sqsTmpl.EventSources {
		if sqsTmpl.EventSources[i].Function == "PublishFunction" {
			es = &sqsTmpl.EventSources[i]
		}
	}
	if es == nil || !es.ReportBatchItemFailures {
		t.Fatalf("template.yaml: PublishFunction needs an SQS event with ReportBatchItemFailures, has %+v", sqsTmpl.EventSources)
	}

	m := &mapping{client: sqspoll.NewClient(endpoint, "us-east-1"), logs: newLogBuffer()}
	prefix := strings.NewReplacer("/", "-", " ", "-", ",", "").Replace(t.Name())
	prefix = fmt.Sprintf("%.60s-", prefix)
	queues, err := sqspoll.CreateQueues(ctx, m.client, sqsTmpl.Queues, sqspoll.CreateOptions{Prefix: prefix, VisibilityTimeout: 1, MaxReceiveCount: 2})
	if err != nil {
		t.Fatal(err)
	}
	m.work = queues[es.Queue]
	m.dlq = queues[m.work.DeadLetterQueue]
	if m.dlq == nil || m.work.MaxReceiveCount != 2 {
		t.Fatalf("queue %s: dead-letter queue %q, maxReceiveCount %d", es.Queue, m.work.DeadLetterQueue, m.work.MaxReceiveCount)
	}

	// The shared stack's history, as deployed functions share one table:
	// the streams its Pushpin holds follow their next link into it.
	hist := sharedHistory
	if hist == "" {
		hist = t.TempDir()
	}
	fn, err := devstack.NewFunction(fnDef, bin, devstack.FunctionOptions{
		Extra:  map[string]string{"GRIP_URL": gripURL, "HISTORY_DIR": hist},
		Region: "us-east-1",
		Output: m.logs,
		Logger: slog.New(slog.NewTextHandler(m.logs, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		fn.Close()
		if t.Failed() {
			t.Logf("the publish function's log:\n%s", m.logs.tail(16<<10))
		}
	})
	m.cfg = es.Config(m.client, m.work, fn)
	m.cfg.WaitTime = time.Second
	m.cfg.Logger = slog.New(slog.NewTextHandler(m.logs, nil))
	return m
}

// send puts bodies on the work queue and returns their message ids by body.
func (m *mapping) send(t *testing.T, ctx context.Context, bodies ...string) map[string]string {
	t.Helper()
	ids := map[string]string{}
	for _, b := range bodies {
		out, err := m.client.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(m.work.URL), MessageBody: aws.String(b)})
		if err != nil {
			t.Fatal(err)
		}
		ids[b] = *out.MessageId
	}
	return ids
}

// run starts the event source mapping until the test ends.
func (m *mapping) run(t *testing.T, onBatch func(sqspoll.Batch)) {
	t.Helper()
	cfg := m.cfg
	cfg.OnBatch = func(b sqspoll.Batch) {
		m.mu.Lock()
		m.batches = append(m.batches, b)
		m.mu.Unlock()
		if onBatch != nil {
			onBatch(b)
		}
	}
	p, err := sqspoll.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	m.pollerDone = make(chan struct{})
	go func() { p.Run(ctx); close(m.pollerDone) }()
	t.Cleanup(func() { cancel(); <-m.pollerDone })
}

// waitSettled waits until the work queue is empty and the dead-letter
// queue holds dead messages, for up to 20s. It gives up sooner when the
// work queue has stayed empty for 2s (more than a visibility timeout and
// a long poll) without them.
func (m *mapping) waitSettled(t *testing.T, ctx context.Context, dead int) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	var emptySince time.Time
	for {
		w, d := m.count(t, ctx, m.work.URL), m.count(t, ctx, m.dlq.URL)
		if w == 0 && d == dead {
			return
		}
		switch {
		case w > 0:
			emptySince = time.Time{}
		case emptySince.IsZero():
			emptySince = time.Now()
		}
		if time.Now().After(deadline) || d > dead || !emptySince.IsZero() && time.Since(emptySince) > 2*time.Second {
			t.Fatalf("after %d batches: %d messages on the work queue, %d in the dead-letter queue (want 0 and %d)", len(m.allBatches()), w, d, dead)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (m *mapping) count(t *testing.T, ctx context.Context, queueURL string) int {
	t.Helper()
	out, err := m.client.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
		QueueUrl: aws.String(queueURL),
		AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameApproximateNumberOfMessages,
			types.QueueAttributeNameApproximateNumberOfMessagesNotVisible, types.QueueAttributeNameApproximateNumberOfMessagesDelayed},
	})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, v := range out.Attributes {
		c, _ := strconv.Atoi(v)
		n += c
	}
	return n
}

// dead receives the whole dead-letter queue: message ids by body.
func (m *mapping) dead(t *testing.T, ctx context.Context) map[string]string {
	t.Helper()
	got := map[string]string{}
	for range 10 {
		out, err := m.client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(m.dlq.URL), MaxNumberOfMessages: 10, VisibilityTimeout: 30})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Messages) == 0 {
			return got
		}
		for _, msg := range out.Messages {
			got[*msg.Body] = *msg.MessageId
		}
	}
	t.Fatal("the dead-letter queue did not drain")
	return nil
}

func (m *mapping) allBatches() []sqspoll.Batch {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.batches)
}

func (m *mapping) batch(i int) sqspoll.Batch {
	if all := m.allBatches(); i < len(all) {
		return all[i]
	}
	return sqspoll.Batch{}
}

// reported counts, per message id, the batches whose answer listed it; a
// whole-batch failure (Err) counts for none, and fails the test's checks.
func (m *mapping) reported() map[string]int {
	n := map[string]int{}
	for _, b := range m.allBatches() {
		if b.Err != nil {
			n["whole batch failed: "+b.Err.Error()]++
			continue
		}
		for _, id := range b.Kept {
			n[id]++
		}
	}
	return n
}

func (m *mapping) deleted() []string {
	var ids []string
	for _, b := range m.allBatches() {
		ids = append(ids, b.Deleted...)
	}
	return ids
}

func sortedCopy(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}
