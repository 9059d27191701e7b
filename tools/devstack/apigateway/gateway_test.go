package apigateway

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/faas-grip/faas-grip-go/tools/devstack/devtest"
	"github.com/faas-grip/faas-grip-go/tools/devstack/runtimeapi"
)

var testfn string

func TestMain(m *testing.M) { os.Exit(devtest.MainWithTestFunction(m, &testfn)) }

// logBuffer collects the gateway's log lines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) lines() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return strings.Split(strings.TrimSpace(b.buf.String()), "\n")
}

// startGateway serves the test function on every route the tests use.
func startGateway(t *testing.T, timeout time.Duration) (*httptest.Server, *logBuffer) {
	t.Helper()
	fn, err := runtimeapi.New(runtimeapi.Config{
		Name: "TestFunction", Executable: testfn, Timeout: 5 * time.Second,
		Output: devtest.NewOutput(t, "TestFunction"),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = fn.Close() })

	logs := &logBuffer{}
	g, err := New(Config{
		Routes: []Route{
			{Method: "GET", Path: "/items/{id}", Function: "TestFunction"},
			{Method: "ANY", Path: "/fn/{proxy+}", Function: "TestFunction"},
		},
		Functions:        map[string]Invoker{"TestFunction": fn},
		BinaryMediaTypes: []string{"application/websocket-events", "application/octet-stream"},
		Timeout:          timeout,
		Logger:           slog.New(slog.NewTextHandler(logs, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(g)
	t.Cleanup(srv.Close)
	return srv, logs
}

func do(t *testing.T, method, url string, body []byte, header http.Header) (*http.Response, []byte) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

func TestProxyEvent(t *testing.T) {
	srv, logs := startGateway(t, 0)
	resp, body := do(t, "GET", srv.URL+"/items/42?a=1&a=2&b=3", nil, http.Header{"X-Multi": {"one", "two"}})
	if resp.StatusCode != 200 {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	var ev events.APIGatewayProxyRequest
	if err := json.Unmarshal(body, &ev); err != nil {
		t.Fatal(err)
	}
	if ev.Resource != "/items/{id}" || ev.Path != "/items/42" || ev.HTTPMethod != "GET" {
		t.Errorf("resource, path, method = %q, %q, %q", ev.Resource, ev.Path, ev.HTTPMethod)
	}
	if ev.Headers["X-Multi"] != "two" || !reflect.DeepEqual(ev.MultiValueHeaders["X-Multi"], []string{"one", "two"}) {
		t.Errorf("headers %v, multi %v", ev.Headers, ev.MultiValueHeaders)
	}
	if ev.Headers["Host"] == "" || ev.Headers["X-Forwarded-For"] != "127.0.0.1" || ev.Headers["X-Forwarded-Proto"] != "http" {
		t.Errorf("Host / X-Forwarded-* headers: %v", ev.Headers)
	}
	if !reflect.DeepEqual(ev.QueryStringParameters, map[string]string{"a": "2", "b": "3"}) ||
		!reflect.DeepEqual(ev.MultiValueQueryStringParameters, map[string][]string{"a": {"1", "2"}, "b": {"3"}}) {
		t.Errorf("query %v, multi %v", ev.QueryStringParameters, ev.MultiValueQueryStringParameters)
	}
	if !reflect.DeepEqual(ev.PathParameters, map[string]string{"id": "42"}) {
		t.Errorf("path parameters %v", ev.PathParameters)
	}
	rc := ev.RequestContext
	if rc.Stage != "local" || rc.RequestID == "" || rc.RequestID != resp.Header.Get("X-Amzn-Requestid") ||
		rc.Identity.SourceIP != "127.0.0.1" || rc.ResourcePath != "/items/{id}" || rc.HTTPMethod != "GET" {
		t.Errorf("requestContext %+v", rc)
	}
	if ev.IsBase64Encoded || ev.Body != "" {
		t.Errorf("body %q, base64 %v", ev.Body, ev.IsBase64Encoded)
	}

	lines := logs.lines()
	if len(lines) != 1 {
		t.Fatalf("want one log line per request, got %q", lines)
	}
	for _, want := range []string{"method=GET", "path=/items/42", "function=TestFunction", "status=200", "duration="} {
		if !strings.Contains(lines[0], want) {
			t.Errorf("log line %q lacks %q", lines[0], want)
		}
	}
}

func TestRequestBodies(t *testing.T) {
	srv, _ := startGateway(t, 0)
	raw := []byte("TEXT 2\r\n\xff\x00\r\n")
	for _, tc := range []struct {
		contentType string
		wantBase64  bool
	}{
		{"application/websocket-events", true},
		{"application/octet-stream; x=y", true},
		{"text/plain; charset=utf-8", false},
		{"", false},
	} {
		resp, body := do(t, "POST", srv.URL+"/fn/echo", raw, http.Header{"Content-Type": {tc.contentType}})
		var ev events.APIGatewayProxyRequest
		if err := json.Unmarshal(body, &ev); err != nil || resp.StatusCode != 200 {
			t.Fatalf("%q: status %d, %v", tc.contentType, resp.StatusCode, err)
		}
		got := []byte(ev.Body)
		if ev.IsBase64Encoded {
			got, _ = base64.StdEncoding.DecodeString(ev.Body)
		}
		if ev.IsBase64Encoded != tc.wantBase64 || (tc.wantBase64 && !bytes.Equal(got, raw)) {
			t.Errorf("%q: isBase64Encoded %v, body %q", tc.contentType, ev.IsBase64Encoded, ev.Body)
		}
	}
}

func TestResponses(t *testing.T) {
	srv, _ := startGateway(t, 0)

	resp, body := do(t, "GET", srv.URL+"/fn/binary", nil, http.Header{"Accept": {"application/octet-stream"}})
	if resp.StatusCode != 200 || !bytes.Equal(body, []byte{0, 1, 2, 0xff}) {
		t.Errorf("binary: %d %q", resp.StatusCode, body)
	}
	// Like API Gateway: without a binary Accept type the client gets base64.
	_, body = do(t, "GET", srv.URL+"/fn/binary", nil, http.Header{"Accept": {"text/html, application/octet-stream"}})
	if string(body) != base64.StdEncoding.EncodeToString([]byte{0, 1, 2, 0xff}) {
		t.Errorf("binary without a binary Accept: %q", body)
	}

	resp, body = do(t, "GET", srv.URL+"/fn/multi", nil, nil)
	if resp.StatusCode != 201 || string(body) != "created" || resp.Header.Get("X-Single") != "one" ||
		!reflect.DeepEqual(resp.Header.Values("Set-Cookie"), []string{"a=1", "b=2"}) ||
		!reflect.DeepEqual(resp.Header.Values("X-Both"), []string{"from-multi"}) {
		t.Errorf("multi: %d %q %v", resp.StatusCode, body, resp.Header)
	}
}

func TestErrorsAnswerAsAPIGatewayDoes(t *testing.T) {
	srv, logs := startGateway(t, 500*time.Millisecond)
	for _, tc := range []struct {
		method, path string
		status       int
		message      string
	}{
		{"GET", "/nowhere", 403, "Missing Authentication Token"},
		{"POST", "/items/1", 403, "Missing Authentication Token"},
		{"GET", "/fn/error", 502, "Internal server error"},
		{"GET", "/fn/crash", 502, "Internal server error"},
		{"GET", "/fn/ok", 200, ""}, // the crashed function is back
		{"GET", "/fn/malformed", 502, "Internal server error"},
		{"GET", "/fn/slow", 504, "Endpoint request timed out"},
		{"GET", "/fn/ok", 200, ""},
	} {
		resp, body := do(t, tc.method, srv.URL+tc.path, nil, nil)
		if resp.StatusCode != tc.status {
			t.Errorf("%s %s: status %d, want %d (%s)", tc.method, tc.path, resp.StatusCode, tc.status, body)
			continue
		}
		if tc.message != "" {
			var msg struct{ Message string }
			if err := json.Unmarshal(body, &msg); err != nil || msg.Message != tc.message {
				t.Errorf("%s %s: body %s, want message %q", tc.method, tc.path, body, tc.message)
			}
		}
	}
	// One line per request (plus warnings about the failed functions).
	requests := 0
	for _, l := range logs.lines() {
		if strings.Contains(l, "msg=request ") {
			requests++
		}
	}
	if requests != 8 {
		t.Errorf("%d request log lines, want 8", requests)
	}
}

func TestNewChecksFunctions(t *testing.T) {
	_, err := New(Config{Routes: []Route{{Method: "GET", Path: "/a", Function: "Missing"}}})
	if err == nil {
		t.Error("New with a route to a missing function: no error")
	}
}
