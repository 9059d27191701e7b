package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/faas-grip/faas-grip-go/internal/grip"
	"github.com/faas-grip/faas-grip-go/internal/history"
	"github.com/faas-grip/faas-grip-go/tools/eventtest"
)

// faultServer is a GRIP control endpoint that misbehaves as told, per attempt.
type faultServer struct {
	*httptest.Server
	attempts atomic.Int32
}

func newFaultServer(t *testing.T, fault func(attempt int, w http.ResponseWriter, r *http.Request)) *faultServer {
	t.Helper()
	fs := &faultServer{}
	fs.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body)) // for faults that look at it
		fault(int(fs.attempts.Add(1)), w, r)
	}))
	t.Cleanup(fs.Close)
	return fs
}

func reset(w http.ResponseWriter) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err == nil {
		conn.(*net.TCPConn).SetLinger(0) // RST instead of FIN
		conn.Close()
	}
}

// Faults at the GRIP endpoint: retried inside the deadline when retrying can
// help; the SQS answer reports exactly the records that were not delivered.
func TestPublishUnderFaults(t *testing.T) {
	allValid := []string{"059f36b4-87a3-44ab-83d2-661975830a7d", "2e1424d4-f796-459a-8184-9c92662be6da", "7a3b1c2d-0e4f-4a5b-9c8d-7e6f5a4b3c2d"}
	tests := []struct {
		name         string
		fault        func(attempt int, w http.ResponseWriter, r *http.Request)
		deadline     time.Duration
		wantFailed   []string
		wantAttempts int32 // 0: don't check
	}{
		{"503 then success", func(a int, w http.ResponseWriter, _ *http.Request) {
			if a < 3 {
				w.WriteHeader(503)
			}
		}, 5 * time.Second, nil, 3},
		{"429 with Retry-After then success", func(a int, w http.ResponseWriter, _ *http.Request) {
			if a == 1 {
				w.Header().Set("Retry-After", "0")
				w.WriteHeader(429)
			}
		}, 5 * time.Second, nil, 2},
		{"connection reset then success", func(a int, w http.ResponseWriter, _ *http.Request) {
			if a == 1 {
				reset(w)
			}
		}, 5 * time.Second, nil, 2},
		{"500 every time", func(_ int, w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(500)
		}, 5 * time.Second, allValid, 3}, // grip.Publisher's attempts per publish
		{"400 is not retried: each message is then tried alone", func(_ int, w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(400)
		}, 5 * time.Second, allValid, 4},
		{"400 for one message fails that message only", func(_ int, w http.ResponseWriter, r *http.Request) {
			if bodyHas(r, "second headline") {
				http.Error(w, "Request body too large", 400)
			}
		}, 5 * time.Second, allValid[1:2], 4},
		{"401 is not tried message by message", func(_ int, w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(401)
		}, 5 * time.Second, allValid, 1},
		{"slow past the deadline", func(_ int, w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
		}, time.Second, allValid, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := newFaultServer(t, tc.fault)
			failed, took := publishSQS(t, srv.URL, "publish-sqs.json", tc.deadline)
			if !slices.Equal(failed, tc.wantFailed) {
				t.Errorf("failed records %v, want %v", failed, tc.wantFailed)
			}
			if tc.wantAttempts != 0 && srv.attempts.Load() != tc.wantAttempts {
				t.Errorf("%d attempts, want %d", srv.attempts.Load(), tc.wantAttempts)
			}
			if took >= tc.deadline {
				t.Errorf("took %v: returned at or past the %v deadline, when Lambda stops the function", took, tc.deadline)
			}
		})
	}
}

func TestPublishEndpointRefusingConnections(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now
	failed, took := publishSQS(t, "http://"+addr, "publish-sqs-partial.json", 2*time.Second)
	want := []string{"a1c2e3f4-0b1d-4e5f-8a9b-0c1d2e3f4a5b", "b2d3f4a5-1c2e-4f60-9b0c-1d2e3f4a5b6c", "9b0e2f6d-8f7a-4c01-a1b2-c3d4e5f60718"}
	if !slices.Equal(failed, want) {
		t.Errorf("failed %v, want %v (the two invalid, then the undelivered one)", failed, want)
	}
	if took >= 2*time.Second {
		t.Errorf("took %v: not before the deadline", took)
	}
}

// hangingStore is a history that answers nothing until its context ends.
type hangingStore struct{ history.Store }

func (hangingStore) AppendItems(ctx context.Context, _ string, _ ...history.Item) ([]history.Entry, error) {
	<-ctx.Done()
	return nil, ctx.Err()
}

// A history that hangs fails the records in time too.
func TestHistoryHangingReturnsBeforeTheDeadline(t *testing.T) {
	srv := newFaultServer(t, func(int, http.ResponseWriter, *http.Request) {})
	// The margin is a tenth of the time left: 300 ms of slack here, room
	// for a loaded machine (500 ms left 50 ms, and a busy CI missed it).
	const deadline = 3 * time.Second
	failed, took := publishSQSWith(t, srv.URL, "publish-sqs.json", deadline, func(h *Handler) { h.History = hangingStore{} })
	if len(failed) != 3 {
		t.Errorf("failed %v, want all three records", failed)
	}
	if took >= deadline {
		t.Errorf("took %v: not before the %v deadline", took, deadline)
	}
}

func TestBeforeDeadline(t *testing.T) {
	for _, tc := range []struct {
		left, margin time.Duration
	}{
		{30 * time.Second, time.Second}, // at most a second
		{3 * time.Second, 300 * time.Millisecond},
		{300 * time.Millisecond, 30 * time.Millisecond}, // a tenth
	} {
		parent, cancel := context.WithTimeout(context.Background(), tc.left)
		ctx, cancel2 := beforeDeadline(parent)
		pd, _ := parent.Deadline()
		d, ok := ctx.Deadline()
		if got := pd.Sub(d); !ok || got < tc.margin-5*time.Millisecond || got > tc.margin {
			t.Errorf("%v left: margin %v, want %v", tc.left, got, tc.margin)
		}
		cancel2()
		cancel()
	}
	ctx, cancel := beforeDeadline(context.Background())
	defer cancel()
	if _, ok := ctx.Deadline(); ok {
		t.Error("a deadline out of none")
	}
}

func bodyHas(r *http.Request, s string) bool {
	body, _ := io.ReadAll(r.Body)
	return strings.Contains(string(body), s)
}

// publishSQS runs the handler with a real grip.Publisher against url, within
// a Lambda-like deadline, and returns the reported failures.
func publishSQS(t *testing.T, url, event string, deadline time.Duration) ([]string, time.Duration) {
	t.Helper()
	return publishSQSWith(t, url, event, deadline, func(*Handler) {})
}

func publishSQSWith(t *testing.T, url, event string, deadline time.Duration, setup func(*Handler)) ([]string, time.Duration) {
	t.Helper()
	cfg, err := grip.ParseConfig(url, "")
	if err != nil {
		t.Fatal(err)
	}
	h, _ := newHandler(t)
	h.Publisher = grip.NewPublisher(cfg)
	h.Logger = slog.New(slog.NewJSONHandler(io.Discard, nil))
	setup(h)
	var e events.SQSEvent
	if err := json.Unmarshal(eventtest.Load(t, event), &e); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), deadline)
	defer cancel()
	start := time.Now()
	resp := h.HandleSQS(ctx, e)
	took := time.Since(start)
	var failed []string
	for _, f := range resp.BatchItemFailures {
		failed = append(failed, f.ItemIdentifier)
	}
	return failed, took
}
