package apigateway

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// recorder is an Invoker that keeps the last event and answers a fixed
// payload: tests of what the gateway sends and how it reads answers need
// no process.
type recorder struct {
	mu     sync.Mutex
	event  []byte
	answer string
	err    error
}

func (r *recorder) Invoke(_ context.Context, payload []byte) ([]byte, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.event = payload
	return []byte(r.answer), r.err
}

func (r *recorder) last() []byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.event
}

// fakeGateway serves routes with one recorder as every route's function.
func fakeGateway(t *testing.T, cfg Config, answer string) (*httptest.Server, *recorder) {
	t.Helper()
	rec := &recorder{answer: answer}
	for i := range cfg.Routes {
		cfg.Routes[i].Function = "Fn"
	}
	cfg.Functions = map[string]Invoker{"Fn": rec}
	cfg.Logger = slog.New(slog.DiscardHandler)
	g, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(g)
	t.Cleanup(srv.Close)
	return srv, rec
}

// send makes one request with an optional Host and returns status and body.
func send(t *testing.T, method, url, host, body string, header http.Header) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	if host != "" {
		req.Host = host
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}
