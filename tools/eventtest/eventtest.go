// Package eventtest helps the functions' tests drive their handlers with the
// sample events in events/, through the same JSON path the Lambda runtime uses.
package eventtest

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/faas-grip/faas-grip-go/internal/edge"
	"github.com/faas-grip/faas-grip-go/internal/grip"
	"github.com/faas-grip/faas-grip-go/internal/grip/apigw"
	"github.com/faas-grip/faas-grip-go/internal/grip/woh"
)

// Dir is the absolute path of the repository's events/ folder.
func Dir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "events")
}

// Load reads events/<name>.
func Load(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(Dir(), name))
	if err != nil {
		t.Fatalf("sample event: %v", err)
	}
	return b
}

// Invoke runs handler on payload as the Lambda runtime would (JSON in, JSON out).
func Invoke(t testing.TB, handler any, payload []byte) []byte {
	t.Helper()
	out, err := lambda.NewHandler(handler).Invoke(context.Background(), payload)
	if err != nil {
		t.Fatalf("invoke: %v", err)
	}
	return out
}

// RESTResponse decodes a REST API (v1) response and its body.
func RESTResponse(t testing.TB, out []byte) (events.APIGatewayProxyResponse, []byte) {
	t.Helper()
	var resp events.APIGatewayProxyResponse
	if err := json.Unmarshal(out, &resp); err != nil {
		t.Fatalf("response is not an API Gateway v1 response: %v\n%s", err, out)
	}
	return resp, Body(t, resp.Body, resp.IsBase64Encoded)
}

// Body decodes a response body as API Gateway would.
func Body(t testing.TB, body string, isBase64 bool) []byte {
	t.Helper()
	if !isBase64 {
		return []byte(body)
	}
	b, err := base64.StdEncoding.DecodeString(body)
	if err != nil {
		t.Fatalf("response body is not base64: %v", err)
	}
	return b
}

// Events decodes a WebSocket-over-HTTP body into "TYPE content" strings, which
// make readable test expectations.
func Events(t testing.TB, body []byte) []string {
	t.Helper()
	evs, err := woh.Decode(body)
	if err != nil {
		t.Fatalf("response body is not WebSocket-over-HTTP: %v\n%q", err, body)
	}
	out := make([]string, len(evs))
	for i, e := range evs {
		out[i] = string(e.Type)
		if e.Content != nil {
			out[i] += " " + string(e.Content)
		}
	}
	return out
}

// Publisher records every Publish call; Err, when set, is returned by each.
// ExceptErr, when set, is returned by PublishExcept, whose calls go to
// ExceptCalls with the endpoints they skipped in Skipped.
type Publisher struct {
	mu          sync.Mutex
	Calls       [][]grip.Item
	Err         error
	ExceptCalls [][]grip.Item
	Skipped     [][]string
	ExceptErr   error
}

// Publish records the call.
func (p *Publisher) Publish(_ context.Context, items ...grip.Item) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.Calls = append(p.Calls, items)
	return p.Err
}

// PublishExcept records the call.
func (p *Publisher) PublishExcept(_ context.Context, skip []string, items ...grip.Item) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.ExceptCalls = append(p.ExceptCalls, items)
	p.Skipped = append(p.Skipped, skip)
	return p.ExceptErr
}

// Logger returns a JSON logger that records everything and fails the test at
// its end if any of secrets appears in what was logged.
func Logger(t testing.TB, secrets ...string) *slog.Logger {
	t.Helper()
	buf := &lockedBuffer{}
	t.Cleanup(func() {
		for _, s := range secrets {
			if strings.Contains(buf.String(), s) {
				t.Errorf("the logs leak a secret:\n%s", buf.String())
			}
		}
	})
	return slog.New(slog.NewJSONHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Headers merges a REST API response's single- and multi-valued headers into
// one map, as the client sees them.
func Headers(resp events.APIGatewayProxyResponse) map[string][]string {
	all := map[string][]string{}
	for k, v := range resp.Headers {
		all[k] = []string{v}
	}
	for k, v := range resp.MultiValueHeaders {
		all[k] = v
	}
	return all
}

// Request converts an API Gateway or function URL sample event into the
// request a handler sees, whichever front door sent it: the event goes
// through the edge as deployed (Grip-Sig left out) and the handler keeps
// what it is given.
func Request(t testing.TB, payload []byte) *apigw.Request {
	t.Helper()
	var seen *apigw.Request
	capture := func(context.Context, edge.ColdStart) (apigw.Handler, error) {
		return func(_ context.Context, r *apigw.Request) (*apigw.Response, error) {
			seen = r
			return &apigw.Response{}, nil
		}, nil
	}
	h, err := edge.NewHTTPHandler(t.Context(), func(string) string { return "" }, slog.New(slog.DiscardHandler), capture,
		edge.PublicMethods("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"))
	if err != nil {
		t.Fatalf("edge: %v", err)
	}
	if _, err := h.Invoke(t.Context(), payload); err != nil {
		t.Fatalf("sample event: %v", err)
	}
	if seen == nil {
		t.Fatal("sample event: the handler was not called")
	}
	return seen
}

// Capture wraps a function's setup so that the handler it returns is also
// kept in *h: a benchmark can then time the handler alone, without the
// event conversion and the Grip-Sig check that the edge puts around it.
func Capture(setup func(context.Context, edge.ColdStart) (apigw.Handler, error), h *apigw.Handler) func(context.Context, edge.ColdStart) (apigw.Handler, error) {
	return func(ctx context.Context, cold edge.ColdStart) (apigw.Handler, error) {
		handler, err := setup(ctx, cold)
		*h = handler
		return handler, err
	}
}
