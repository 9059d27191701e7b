package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/faas-grip/faas-grip-go/internal/feed"
	"github.com/faas-grip/faas-grip-go/internal/grip"
	"github.com/faas-grip/faas-grip-go/internal/history"
	"github.com/faas-grip/faas-grip-go/tools/eventtest"
)

// endpoint is a fake GRIP control API that records the items it accepted
// (as "channel/id" or the WebSocket content for items without id) and can
// be made to refuse requests.
type endpoint struct {
	*httptest.Server
	down   atomic.Bool            // answer 503 to everything
	refuse func(body string) bool // answer 400 when it returns true
	mu     sync.Mutex
	got    []string
}

func newEndpoint(t *testing.T) *endpoint {
	e := &endpoint{refuse: func(string) bool { return false }}
	e.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		switch {
		case e.down.Load():
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		case e.refuse(string(body)):
			http.Error(w, "bad item", http.StatusBadRequest)
			return
		}
		var req struct {
			Items []struct {
				Channel string `json:"channel"`
				ID      string `json:"id"`
				Formats struct {
					WS struct {
						Content string `json:"content"`
					} `json:"ws-message"`
				} `json:"formats"`
			} `json:"items"`
		}
		if err := json.Unmarshal(body, &req); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		e.mu.Lock()
		defer e.mu.Unlock()
		for _, it := range req.Items {
			if strings.HasSuffix(it.Channel, feed.SSESuffix) {
				continue // the SSE copy of a text message: counted once, by its plain item
			}
			if it.ID != "" {
				e.got = append(e.got, it.Channel+"/"+it.ID)
			} else {
				e.got = append(e.got, it.Channel+":"+it.Formats.WS.Content)
			}
		}
	}))
	t.Cleanup(e.Close)
	return e
}

func (e *endpoint) items() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.got)
}

// twoEndpointHandler runs the handler with a real grip.Publisher naming a
// and b, a DirStore for history and delivery records, a Lambda-like deadline.
func twoEndpointHandler(t *testing.T, a, b *endpoint) *Handler {
	t.Helper()
	cfg, err := grip.ParseConfig(a.URL+","+b.URL, "")
	if err != nil {
		t.Fatal(err)
	}
	store, err := history.NewDirStore(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return &Handler{
		Publisher: grip.NewPublisher(cfg),
		History:   store,
		Logger:    eventtest.Logger(t),
	}
}

func handleSQS(t *testing.T, h *Handler, pairs ...string) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Second)
	defer cancel()
	got := failures(h.HandleSQS(ctx, sqsEvent(pairs...)))
	slices.Sort(got)
	return got
}

// B is down for a batch, then recovers: the batch reports exactly the
// records B missed (and the invalid one), their redelivery goes to B only,
// and each endpoint has every item exactly once, in id order.
func TestRedeliveryGoesOnlyToTheEndpointThatMissedIt(t *testing.T) {
	a, b := newEndpoint(t), newEndpoint(t)
	h := twoEndpointHandler(t, a, b)

	if got := handleSQS(t, h, "m1", `{"channel":"c","text":"one"}`); len(got) != 0 {
		t.Fatalf("both up: failures %v", got)
	}
	b.down.Store(true)
	batch := []string{
		"m2", `{"channel":"c","text":"two"}`,
		"bad", `{"channel":"c"}`,
		"m3", `{"channel":"c","text":"three"}`,
		"f1", `{"channel":"d","formats":{"ws-message":{"content":"raw"}}}`,
	}
	if got := handleSQS(t, h, batch...); !slices.Equal(got, []string{"bad", "f1", "m2", "m3"}) {
		t.Fatalf("B down: failures %v, want bad f1 m2 m3", got)
	}
	wantA := []string{"c/1", "c/2", "c/3", "d:raw"}
	if got := a.items(); !slices.Equal(got, wantA) {
		t.Fatalf("A got %v, want %v", got, wantA)
	}

	// Still down on the first redelivery: nothing more reaches A.
	if got := handleSQS(t, h, batch...); !slices.Equal(got, []string{"bad", "f1", "m2", "m3"}) {
		t.Fatalf("B still down: failures %v", got)
	}
	b.down.Store(false)
	// SQS redelivers the failed records, here in a batch with a new one.
	redelivery := append([]string{"m4", `{"channel":"c","text":"four"}`}, batch[2:]...)
	redelivery = append(redelivery, batch[:2]...)
	if got := handleSQS(t, h, redelivery...); !slices.Equal(got, []string{"bad"}) {
		t.Fatalf("B back: failures %v, want only the invalid record", got)
	}
	if got, want := a.items(), append(wantA, "c/4"); !slices.Equal(got, want) {
		t.Errorf("A got %v, want %v: a redelivered record reached A twice", got, want)
	}
	// B: m1 before the outage, then the missed ones in id order (the new
	// m4 after them, in the same batch), each once.
	if got, want := b.items(), []string{"c/1", "c/2", "c/3", "d:raw", "c/4"}; !slices.Equal(got, want) {
		t.Errorf("B got %v, want %v", got, want)
	}
	// Finished, m2's record names both: one more delivery of it (SQS
	// delivers at least once) publishes nothing.
	if got := handleSQS(t, h, "m2", `{"channel":"c","text":"two"}`); len(got) != 0 {
		t.Fatalf("extra delivery: failures %v", got)
	}
	if len(a.items()) != 5 || len(b.items()) != 5 {
		t.Errorf("after an extra delivery of m2: A %v, B %v; want nothing new", a.items(), b.items())
	}
}

// B refuses one message of a request (400): the messages are retried one
// by one, to B only, so A has each once and only the bad record fails.
func TestOneByOneRetryAfterAPartialRefusal(t *testing.T) {
	a, b := newEndpoint(t), newEndpoint(t)
	b.refuse = func(body string) bool { return strings.Contains(body, "poison") }
	h := twoEndpointHandler(t, a, b)

	got := handleSQS(t, h,
		"m1", `{"channel":"c","text":"fine"}`,
		"m2", `{"channel":"c","text":"poison"}`,
		"m3", `{"channel":"c","text":"also fine"}`)
	if !slices.Equal(got, []string{"m2"}) {
		t.Fatalf("failures %v, want m2", got)
	}
	if got, want := a.items(), []string{"c/1", "c/2", "c/3"}; !slices.Equal(got, want) {
		t.Errorf("A got %v, want %v", got, want)
	}
	if got, want := b.items(), []string{"c/1", "c/3"}; !slices.Equal(got, want) {
		t.Errorf("B got %v, want %v", got, want)
	}
	// The redelivered m2 goes to B alone (and fails there again).
	if got := handleSQS(t, h, "m2", `{"channel":"c","text":"poison"}`); !slices.Equal(got, []string{"m2"}) {
		t.Errorf("redelivery: failures %v", got)
	}
	if got := a.items(); len(got) != 3 {
		t.Errorf("A got %v after the redelivery, want nothing new", got)
	}
}

// With one endpoint nothing is recorded: a failed record is simply sent again.
func TestOneEndpointKeepsNoDeliveryRecords(t *testing.T) {
	a := newEndpoint(t)
	cfg, _ := grip.ParseConfig(a.URL, "")
	dir := t.TempDir()
	store, _ := history.NewDirStore(dir)
	h := &Handler{Publisher: grip.NewPublisher(cfg), History: store, Logger: eventtest.Logger(t)}
	a.down.Store(true)
	if got := handleSQS(t, h, "m1", `{"channel":"c","text":"x"}`); !slices.Equal(got, []string{"m1"}) {
		t.Fatalf("failures %v", got)
	}
	if recs, err := store.Delivered(t.Context(), "sqs:m1"); err != nil || len(recs) != 0 {
		t.Errorf("records %v, %v; want none", recs, err)
	}
}

// Unreadable delivery records: the message goes to every endpoint (a
// duplicate rather than a loss), and the batch still completes.
func TestUnreadableDeliveryRecordsPublishToAll(t *testing.T) {
	a, b := newEndpoint(t), newEndpoint(t)
	h := twoEndpointHandler(t, a, b)
	h.Deliveries = brokenDeliveries{}
	if got := handleSQS(t, h, "m1", `{"channel":"c","text":"x"}`); len(got) != 0 {
		t.Fatalf("failures %v", got)
	}
	if len(a.items()) != 1 || len(b.items()) != 1 {
		t.Errorf("A %v, B %v; want the item at both", a.items(), b.items())
	}
}

type brokenDeliveries struct{}

func (brokenDeliveries) Delivered(context.Context, ...string) (map[string][]string, error) {
	return nil, io.ErrUnexpectedEOF
}

func (brokenDeliveries) MarkDelivered(context.Context, map[string][]string) error {
	return io.ErrUnexpectedEOF
}

// The same message sent twice with one idempotency key (two SQS sends, or an
// SQS send and a direct invoke) is one message for the delivery records, as
// it is for the history: an endpoint that took it once is not sent it again.
func TestDeliveryKeyFollowsTheIdempotencyKey(t *testing.T) {
	msg := Message{Channel: "news", IdempotencyKey: "order-1"}
	a, b := pending{recordID: "m1", msg: msg}, pending{recordID: "m2", msg: msg}
	if a.deliveryKey() != b.deliveryKey() {
		t.Errorf("%q and %q: one message, two delivery keys", a.deliveryKey(), b.deliveryKey())
	}
	if c := (pending{recordID: "m3", msg: Message{Channel: "news"}}); c.deliveryKey() != "sqs:m3" {
		t.Errorf("without a key: %q, want the SQS message id", c.deliveryKey())
	}
}
