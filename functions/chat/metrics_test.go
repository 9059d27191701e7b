package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/faas-grip/faas-grip-go/internal/edge"
	"github.com/faas-grip/faas-grip-go/internal/emf"
	"github.com/faas-grip/faas-grip-go/internal/grip"
	"github.com/faas-grip/faas-grip-go/internal/grip/apigw"
	"github.com/faas-grip/faas-grip-go/internal/grip/ws"
	"github.com/faas-grip/faas-grip-go/tools/emftest"
	"github.com/faas-grip/faas-grip-go/tools/eventtest"
)

// withMetrics has h write its metrics to a buffer, as the edge's writer
// writes them to stdout.
func withMetrics(h *Handler) *bytes.Buffer {
	var out bytes.Buffer
	h.Metrics = emf.NewWriter(&out, "faas-grip", emf.Dimension{Name: "FunctionName", Value: "chat"})
	return &out
}

// metricLine checks what one request wrote by the format's rules: no
// line, or one, summed up by emftest.Summaries.
func metricLine(t *testing.T, out *bytes.Buffer) string {
	t.Helper()
	lines := emftest.Summaries(t, out.Bytes())
	if len(lines) > 1 {
		t.Fatalf("%d lines for one request, want at most one: %s", len(lines), out.String())
	}
	return strings.Join(lines, "")
}

// Each sample event, through the edge as deployed, writes the line its
// events call for, and nothing when it has none.
func TestMetricsOfTheSampleEvents(t *testing.T) {
	for _, tc := range []struct{ event, want string }{
		{"chat-open.json", "FunctionName=chat ChatConnectionsOpened=1"},
		{"chat-message.json", "FunctionName=chat MessagesPublished=1"},
		{"chat-batch.json", "FunctionName=chat MessagesPublished=3"}, // and a /nick, which is no message
		{"chat-close.json", "FunctionName=chat ChatConnectionsClosed=1"},
		{"chat-disconnect.json", "FunctionName=chat ChatConnectionsClosed=1"},
		{"chat-nick.json", ""},
		{"chat-bad-nick.json", ""},
		{"chat-ping.json", ""},
		{"chat-page.json", ""},
	} {
		t.Run(tc.event, func(t *testing.T) {
			h, _ := newHandler(t, map[string]string{"GRIP_URL": testGripURL})
			out := withMetrics(h.Handler)
			if _, err := h.Lambda.Invoke(t.Context(), eventtest.Load(t, tc.event)); err != nil {
				t.Fatal(err)
			}
			if got := metricLine(t, out); got != tc.want {
				t.Errorf("metrics %q, want %q", got, tc.want)
			}
		})
	}
}

// MessagesPublished counts messages the room got, from at least one
// endpoint; RateLimited the messages dropped, in the same line.
func TestMetricsOfABroadcast(t *testing.T) {
	partial := &grip.DeliveryError{Delivered: []string{"ep-a"}, Failed: []*grip.PublishError{{EndpointID: "ep-b", Status: 503}}}
	for _, tc := range []struct {
		name  string
		err   error
		burst int
		want  string
	}{
		{"published", nil, 20, "FunctionName=chat MessagesPublished=3"},
		{"rate limited", nil, 1, "FunctionName=chat MessagesPublished=1 RateLimited=2"},
		{"every endpoint failed: the sender resends", errors.New("proxy down"), 20, ""},
		{"one endpoint took them", partial, 20, "FunctionName=chat MessagesPublished=3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, pub := newHandler(t, map[string]string{"GRIP_URL": testGripURL})
			pub.Err = tc.err
			h.Limits = Limits{Burst: tc.burst}
			out := withMetrics(h.Handler)
			if _, err := h.Handle(t.Context(), wohRequest(t, nil, "one", "two", "three")); err != nil {
				t.Fatal(err)
			}
			if got := metricLine(t, out); got != tc.want {
				t.Errorf("metrics %q, want %q", got, tc.want)
			}
		})
	}
}

// A handshake refused for its token opens nothing; a connection closed by
// the client counts as closed even on a request whose token is refused.
func TestMetricsWithTokens(t *testing.T) {
	for _, tc := range []struct {
		name string
		req  func(*testing.T) *apigw.Request
		want string
	}{
		{"refused handshake", func(t *testing.T) *apigw.Request { return withBearer(openRequest(t), "not-a-token") }, ""},
		{"refused, closing", func(t *testing.T) *apigw.Request {
			r := wohRequest(t, nil)
			r.Body = []byte("CLOSE\r\n")
			return r
		}, "FunctionName=chat ChatConnectionsClosed=1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, _ := newHandler(t, tokenEnv())
			out := withMetrics(h.Handler)
			if _, err := h.Handle(t.Context(), tc.req(t)); err != nil {
				t.Fatal(err)
			}
			if got := metricLine(t, out); got != tc.want {
				t.Errorf("metrics %q, want %q", got, tc.want)
			}
		})
	}
}

// The handler writes with the edge's writer.
func TestConfigureTakesTheEdgesWriter(t *testing.T) {
	w := emf.NewWriter(io.Discard, "faas-grip")
	h, err := configure(t.Context(), edge.ColdStart{Getenv: func(string) string { return "" }, Metrics: w})
	if err != nil || h.Metrics != w {
		t.Errorf("configure: Metrics %p, err %v; want the edge's %p", h.Metrics, err, w)
	}
}

// Writing a request's line allocates nothing (the Writer reuses its buffer):
// the benchmark's allocation budget, pinned where a GC cannot blur it.
func TestMetricsLineAllocatesNothing(t *testing.T) {
	h := &Handler{Logger: eventtest.Logger(t)}
	withMetrics(h)
	conn, err := ws.FromRequest(wohRequest(t, nil, "hi"), grip.Config{})
	if err != nil {
		t.Fatal(err)
	}
	counts := requestCounts{opened: true, limited: 2, published: 1}
	if n := testing.AllocsPerRun(100, func() { h.emitMetrics(t.Context(), conn, &counts) }); n != 0 {
		t.Errorf("%v allocations per line", n)
	}
}

// BenchmarkInvokeMetrics is BenchmarkInvoke on chat-message.json with the
// metrics line off (Metrics nil, as outside Lambda) and on, written to
// /dev/null with a write call, as to Lambda's stdout: what the line costs a
// message invocation.
func BenchmarkInvokeMetrics(b *testing.B) {
	devNull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { devNull.Close() })
	for _, on := range []bool{false, true} {
		b.Run("event=chat-message/metrics="+map[bool]string{false: "off", true: "on"}[on], func(b *testing.B) {
			d := benchHandler(b)
			if on {
				d.Handler.Metrics = emf.NewWriter(devNull, "faas-grip", emf.Dimension{Name: "FunctionName", Value: "chat"})
			}
			event := benchEvent(b, "chat-message.json")
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := d.Lambda.Invoke(ctx, event); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
