//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package sqspoll

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/faas-grip/faas-grip-go/tools/moto"
)

// A queue and its dead-letter queue as the project's template declares
// them, with what tests need to see redrive quickly.
const testTemplate = `
Resources:
  Work:
    Type: AWS::SQS::Queue
    Properties:
      VisibilityTimeout: 180
      RedrivePolicy: {deadLetterTargetArn: !GetAtt Dead.Arn, maxReceiveCount: 5}
  Dead:
    Type: AWS::SQS::Queue
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        Q: {Type: SQS, Properties: {Queue: !GetAtt Work.Arn, BatchSize: 10, FunctionResponseTypes: [ReportBatchItemFailures]}}
`

// fakeFunction answers each event with decide's verdict and records what
// it was given.
type fakeFunction struct {
	decide func(call int, e events.SQSEvent) ([]byte, error)

	mu     sync.Mutex
	events []events.SQSEvent
}

func (f *fakeFunction) Invoke(_ context.Context, payload []byte) ([]byte, error) {
	var e events.SQSEvent
	if err := json.Unmarshal(payload, &e); err != nil {
		return nil, err
	}
	f.mu.Lock()
	f.events = append(f.events, e)
	call := len(f.events)
	f.mu.Unlock()
	return f.decide(call, e)
}

// receipts counts, per message body, the records the function was given.
func (f *fakeFunction) receipts() map[string]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := map[string]int{}
	for _, e := range f.events {
		for _, r := range e.Records {
			n[r.Body]++
		}
	}
	return n
}

// failBodies reports the records whose body starts with "bad".
func failBodies(_ int, e events.SQSEvent) ([]byte, error) {
	var resp events.SQSEventResponse
	for _, r := range e.Records {
		if strings.HasPrefix(r.Body, "bad") {
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: r.MessageId})
		}
	}
	return json.Marshal(resp)
}

// env is one test's queues on the shared moto_server.
type env struct {
	client *sqs.Client
	work   *CreatedQueue
	dead   *CreatedQueue
	es     EventSource
}

func newEnv(t *testing.T, endpoint string, maxReceive int) *env {
	t.Helper()
	tmpl, err := ReadTemplate([]byte(testTemplate))
	if err != nil {
		t.Fatal(err)
	}
	client := NewClient(endpoint, "us-east-1")
	prefix := strings.NewReplacer("/", "-", " ", "-", ",", "", "'", "").Replace(t.Name()) + "-"
	queues, err := CreateQueues(t.Context(), client, tmpl.Queues, CreateOptions{Prefix: prefix, VisibilityTimeout: 1, MaxReceiveCount: maxReceive})
	if err != nil {
		t.Fatal(err)
	}
	return &env{client: client, work: queues["Work"], dead: queues["Dead"], es: tmpl.EventSources[0]}
}

// send puts bodies on the work queue and returns their message ids.
func (e *env) send(t *testing.T, bodies ...string) map[string]string {
	t.Helper()
	ids := map[string]string{}
	for _, b := range bodies {
		out, err := e.client.SendMessage(t.Context(), &sqs.SendMessageInput{
			QueueUrl: aws.String(e.work.URL), MessageBody: aws.String(b),
			MessageAttributes: map[string]types.MessageAttributeValue{
				"source": {DataType: aws.String("String"), StringValue: aws.String("test")},
			},
		})
		if err != nil {
			t.Fatal(err)
		}
		ids[b] = *out.MessageId
	}
	return ids
}

// run runs a Poller on the work queue until the test ends.
func (e *env) run(t *testing.T, cfg Config) {
	t.Helper()
	cfg.Client, cfg.QueueURL, cfg.WaitTime = e.client, e.work.URL, time.Second
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	p, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { p.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
}

// count is how many messages a queue holds, visible or not.
func (e *env) count(t *testing.T, url string) int {
	t.Helper()
	out, err := e.client.GetQueueAttributes(t.Context(), &sqs.GetQueueAttributesInput{
		QueueUrl: aws.String(url),
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

// drain receives every message of a queue and returns its bodies by id.
func (e *env) drain(t *testing.T, url string) map[string]string {
	t.Helper()
	got := map[string]string{}
	for range 20 {
		out, err := e.client.ReceiveMessage(t.Context(), &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), MaxNumberOfMessages: 10, VisibilityTimeout: 30})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Messages) == 0 {
			return got
		}
		for _, m := range out.Messages {
			got[*m.MessageId] = *m.Body
		}
	}
	t.Fatal("the queue did not drain")
	return nil
}

// waitUntil polls cond every 100ms for up to d.
func waitUntil(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("no %s within %v", what, d)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestPollerAgainstMoto(t *testing.T) {
	endpoint := moto.Start(t)

	// The heart of it: good records are deleted after one invocation, the
	// reported ones come back until maxReceiveCount, then SQS moves exactly
	// them to the dead-letter queue.
	t.Run("reported failures go to the dead-letter queue", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, endpoint, 2)
		fn := &fakeFunction{decide: failBodies}
		var mu sync.Mutex
		var batches []Batch
		e.run(t, e.es.Config(e.client, e.work, fn).with(func(c *Config) {
			c.OnBatch = func(b Batch) { mu.Lock(); batches = append(batches, b); mu.Unlock() }
		}))
		ids := e.send(t, "good 1", "bad 1", "good 2", "bad 2")

		waitUntil(t, 15*time.Second, "empty work queue and 2 dead letters", func() bool {
			return e.count(t, e.work.URL) == 0 && e.count(t, e.dead.URL) == 2
		})
		dead := e.drain(t, e.dead.URL)
		want := map[string]string{ids["bad 1"]: "bad 1", ids["bad 2"]: "bad 2"}
		if !maps.Equal(dead, want) {
			t.Errorf("dead-letter queue holds %v, want %v", dead, want)
		}
		if got, want := fn.receipts(), map[string]int{"good 1": 1, "good 2": 1, "bad 1": 2, "bad 2": 2}; !maps.Equal(got, want) {
			t.Errorf("the function was given %v, want %v", got, want)
		}

		mu.Lock()
		defer mu.Unlock()
		var deleted, kept []string
		for _, b := range batches {
			if b.Err != nil || b.DeleteErr != nil {
				t.Errorf("batch errors: %v, %v", b.Err, b.DeleteErr)
			}
			deleted = append(deleted, b.Deleted...)
			kept = append(kept, b.Kept...)
		}
		slices.Sort(deleted)
		slices.Sort(kept)
		if want := sorted(ids["good 1"], ids["good 2"]); !slices.Equal(deleted, want) {
			t.Errorf("deleted %v, want %v", deleted, want)
		}
		if want := sorted(ids["bad 1"], ids["bad 1"], ids["bad 2"], ids["bad 2"]); !slices.Equal(kept, want) {
			t.Errorf("kept %v, want %v", kept, want)
		}
	})

	// The records are what Lambda gives a function.
	t.Run("event records", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, endpoint, 2)
		fn := &fakeFunction{decide: func(call int, ev events.SQSEvent) ([]byte, error) {
			if call == 1 {
				return nil, errors.New("first time fails")
			}
			return []byte("null"), nil
		}}
		e.run(t, e.es.Config(e.client, e.work, fn))
		ids := e.send(t, "héllo")
		// Both invocations, then the queue empty: moto may count the
		// message as gone for a moment between its receive and the retry.
		waitUntil(t, 10*time.Second, "two invocations and an empty work queue", func() bool {
			fn.mu.Lock()
			calls := len(fn.events)
			fn.mu.Unlock()
			return calls >= 2 && e.count(t, e.work.URL) == 0
		})

		fn.mu.Lock()
		defer fn.mu.Unlock()
		if len(fn.events) != 2 {
			t.Fatalf("%d invocations, want 2", len(fn.events))
		}
		sum := md5.Sum([]byte("héllo"))
		for i, ev := range fn.events {
			if len(ev.Records) != 1 {
				t.Fatalf("invocation %d: %d records", i+1, len(ev.Records))
			}
			r := ev.Records[0]
			if r.MessageId != ids["héllo"] || r.Body != "héllo" || r.ReceiptHandle == "" ||
				r.EventSource != "aws:sqs" || r.EventSourceARN != e.work.ARN || r.AWSRegion != "us-east-1" ||
				r.Md5OfBody != hex.EncodeToString(sum[:]) {
				t.Errorf("invocation %d: record %+v", i+1, r)
			}
			if got := r.Attributes["ApproximateReceiveCount"]; got != strconv.Itoa(i+1) {
				t.Errorf("invocation %d: ApproximateReceiveCount %q", i+1, got)
			}
			for _, a := range []string{"SentTimestamp", "SenderId", "ApproximateFirstReceiveTimestamp"} {
				if r.Attributes[a] == "" {
					t.Errorf("invocation %d: no attribute %s in %v", i+1, a, r.Attributes)
				}
			}
			if a := r.MessageAttributes["source"]; aws.ToString(a.StringValue) != "test" || a.DataType != "String" {
				t.Errorf("invocation %d: message attributes %+v", i+1, r.MessageAttributes)
			}
		}
		if fn.events[0].Records[0].ReceiptHandle == fn.events[1].Records[0].ReceiptHandle {
			t.Error("the second receive reused the first receipt handle")
		}
	})

	// Whatever makes Lambda retry the whole batch deletes nothing; the
	// next, good answer then settles it.
	for _, tc := range []struct {
		name  string
		first func(events.SQSEvent) ([]byte, error)
	}{
		{"function error", func(events.SQSEvent) ([]byte, error) { return nil, errors.New("boom") }},
		{"response not JSON", func(events.SQSEvent) ([]byte, error) { return []byte("ok"), nil }},
		{"unknown itemIdentifier", func(events.SQSEvent) ([]byte, error) {
			return []byte(`{"batchItemFailures":[{"itemIdentifier":"not-in-the-batch"}]}`), nil
		}},
		{"empty itemIdentifier", func(events.SQSEvent) ([]byte, error) {
			return []byte(`{"batchItemFailures":[{"itemIdentifier":""}]}`), nil
		}},
	} {
		t.Run("whole batch retried on "+tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, endpoint, 3)
			fn := &fakeFunction{decide: func(call int, ev events.SQSEvent) ([]byte, error) {
				if call == 1 {
					return tc.first(ev)
				}
				return []byte(`{"batchItemFailures":[]}`), nil
			}}
			e.send(t, "a", "b", "c") // all there before the first receive: one batch
			var mu sync.Mutex
			var first *Batch
			e.run(t, e.es.Config(e.client, e.work, fn).with(func(c *Config) {
				c.OnBatch = func(b Batch) {
					mu.Lock()
					if first == nil {
						first = &b
					}
					mu.Unlock()
				}
			}))
			// Every message twice, then the queue empty: moto may count the
			// batch as gone for a moment between a receive and the retry.
			waitUntil(t, 10*time.Second, "every message twice and an empty work queue", func() bool {
				return len(fn.receipts()) == 3 && fn.receipts()["a"] >= 2 && fn.receipts()["b"] >= 2 && fn.receipts()["c"] >= 2 && e.count(t, e.work.URL) == 0
			})
			if got := fn.receipts(); !maps.Equal(got, map[string]int{"a": 2, "b": 2, "c": 2}) {
				t.Errorf("the function was given %v, want every message twice", got)
			}
			mu.Lock()
			defer mu.Unlock()
			if first.Err == nil || len(first.Deleted) != 0 || len(first.Kept) != 3 {
				t.Errorf("first batch: err %v, deleted %v, kept %v", first.Err, first.Deleted, first.Kept)
			}
			if n := e.count(t, e.dead.URL); n != 0 {
				t.Errorf("%d messages in the dead-letter queue", n)
			}
		})
	}

	// Without ReportBatchItemFailures, Lambda ignores the answer: an
	// invocation that returns deletes the whole batch.
	t.Run("without ReportBatchItemFailures", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, endpoint, 2)
		e.es.ReportBatchItemFailures = false
		fn := &fakeFunction{decide: failBodies}
		e.run(t, e.es.Config(e.client, e.work, fn))
		e.send(t, "good", "bad")
		waitUntil(t, 10*time.Second, "an empty work queue", func() bool { return e.count(t, e.work.URL) == 0 })
		time.Sleep(1500 * time.Millisecond) // past the visibility timeout: nothing comes back
		if got := fn.receipts(); !maps.Equal(got, map[string]int{"good": 1, "bad": 1}) {
			t.Errorf("the function was given %v, want each message once", got)
		}
	})

	// Batches hold at most BatchSize records; above 10, several receives
	// fill one.
	for _, size := range []int{3, 15} {
		t.Run(fmt.Sprintf("batch size %d", size), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, endpoint, 2)
			var bodies []string
			for i := range 25 {
				bodies = append(bodies, fmt.Sprint("m", i))
			}
			e.send(t, bodies...) // all there before the first receive
			fn := &fakeFunction{decide: failBodies}
			e.run(t, e.es.Config(e.client, e.work, fn).with(func(c *Config) { c.BatchSize = size }))
			waitUntil(t, 10*time.Second, "25 records and an empty work queue", func() bool {
				total := 0
				for _, n := range fn.receipts() {
					total += n
				}
				return total >= 25 && e.count(t, e.work.URL) == 0
			})
			fn.mu.Lock()
			defer fn.mu.Unlock()
			total := 0
			for i, ev := range fn.events {
				n := len(ev.Records)
				total += n
				if n > size {
					t.Errorf("batch %d: %d records, more than %d", i+1, n, size)
				}
			}
			if total != 25 {
				t.Errorf("%d records in all, want 25", total)
			}
			if size == 15 && len(fn.events[0].Records) != 15 {
				t.Errorf("first batch: %d records, want a full 15", len(fn.events[0].Records))
			}
		})
	}

	// Run ends as soon as its context does, even in a long poll.
	t.Run("Run stops at once", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, endpoint, 2)
		p, err := New(Config{Client: e.client, QueueURL: e.work.URL, Function: &fakeFunction{decide: failBodies},
			Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}) // WaitTime: 20s
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { p.Run(ctx); close(done) }()
		time.Sleep(500 * time.Millisecond)
		start := time.Now()
		cancel()
		select {
		case <-done:
			if d := time.Since(start); d > time.Second {
				t.Errorf("Run took %v to stop", d)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("Run did not stop within 5s")
		}
	})
}

func TestNewRefusesBadConfig(t *testing.T) {
	client := NewClient("http://127.0.0.1:1", "us-east-1")
	fn := InvokerFunc(func(context.Context, []byte) ([]byte, error) { return nil, nil })
	for _, cfg := range []Config{
		{QueueURL: "u", Function: fn},
		{Client: client, Function: fn},
		{Client: client, QueueURL: "u"},
		{Client: client, QueueURL: "u", Function: fn, BatchSize: 10001},
		{Client: client, QueueURL: "u", Function: fn, WaitTime: 21 * time.Second},
	} {
		if _, err := New(cfg); err == nil {
			t.Errorf("New(%+v) accepted it", cfg)
		}
	}
}

// with returns c changed by f.
func (c Config) with(f func(*Config)) Config { f(&c); return c }

func sorted(s ...string) []string { slices.Sort(s); return s }
