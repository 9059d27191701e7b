package main

import (
	"log/slog"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/faas-grip/faas-grip-go/internal/edge"
	"github.com/faas-grip/faas-grip-go/internal/grip/apigw"
	"github.com/faas-grip/faas-grip-go/tools/eventtest"
)

// The sample events carry a Grip-Sig signed with Pushpin's default key.
const testGripURL = "http://127.0.0.1:5561?verify-iss=pushpin&verify-key=changeme"

// deployed is the stream as edge serves it: the Grip-Sig check, then the handler.
// deployed is the function as edge serves it: Lambda takes event JSON and
// checks Grip-Sig; Handle is the handler its setup returned.
type deployed struct {
	Lambda lambda.Handler
	Handle apigw.Handler
}

// newHandler builds the function through edge with main's own setup.
func newHandler(t *testing.T, vars map[string]string) *deployed {
	t.Helper()
	return newHandlerLogging(t, vars, eventtest.Logger(t, "changeme"))
}

func newHandlerLogging(t *testing.T, vars map[string]string, logger *slog.Logger) *deployed {
	t.Helper()
	d := &deployed{}
	var err error
	if d.Lambda, err = edge.NewHTTPHandler(t.Context(), func(k string) string { return vars[k] }, logger, eventtest.Capture(setup, &d.Handle)); err != nil {
		t.Fatal(err)
	}
	return d
}

func TestStreamEvents(t *testing.T) {
	tests := []struct {
		event  string
		header map[string][]string
		body   string
	}{
		{
			event: "stream-plain.json",
			header: map[string][]string{
				"Content-Type":           {"text/plain; charset=utf-8"},
				"X-Content-Type-Options": {"nosniff"},
				"Cache-Control":          {"no-cache"},
				"Grip-Hold":              {"stream"},
				"Grip-Channel":           {"news"},
				"Grip-Keep-Alive":        {`\n; format=cstring; timeout=20`},
			},
			body: "streaming news\n",
		},
		{
			event: "stream-sse.json",
			header: map[string][]string{
				"Content-Type":           {"text/event-stream"},
				"X-Content-Type-Options": {"nosniff"},
				"Cache-Control":          {"no-cache"},
				"Grip-Hold":              {"stream"},
				"Grip-Channel":           {"news.sse"},
				"Grip-Keep-Alive":        {`:\n\n; format=cstring; timeout=20`},
			},
			body: "event: open\ndata: streaming news\n\n",
		},
	}
	for _, tc := range tests {
		t.Run(tc.event, func(t *testing.T) {
			h := newHandler(t, map[string]string{"GRIP_URL": testGripURL})
			out := eventtest.Invoke(t, h.Lambda, eventtest.Load(t, tc.event))
			resp, body := eventtest.RESTResponse(t, out)
			if resp.StatusCode != 200 {
				t.Fatalf("status %d: %s", resp.StatusCode, body)
			}
			got := eventtest.Headers(resp)
			if !reflect.DeepEqual(got, tc.header) {
				t.Errorf("headers:\n got %q\nwant %q", got, tc.header)
			}
			if string(body) != tc.body {
				t.Errorf("body %q, want %q", body, tc.body)
			}
		})
	}
}

func TestStreamRequests(t *testing.T) {
	signed := eventtest.Load(t, "stream-plain.json")
	_ = signed
	tests := []struct {
		name   string
		vars   map[string]string
		method string
		query  string
		sig    bool
		status int
		want   string // in the body
	}{
		{"not through a proxy", map[string]string{"GRIP_URL": testGripURL}, "GET", "", false, 401, "GRIP proxy"},
		{"forged signature", map[string]string{"GRIP_URL": testGripURL}, "GET", "", true, 403, "invalid Grip-Sig"},
		{"no verify key but required", map[string]string{"GRIP_URL": "http://127.0.0.1:5561"}, "GET", "", true, 500, "misconfigured"},
		{"channel with a space", map[string]string{"GRIP_URL": "http://127.0.0.1:5561", "GRIP_SIG_REQUIRED": "false"}, "GET", "channel=a+b", true, 400, "channel"},
		{"channel of 1 KB", map[string]string{"GRIP_URL": "http://127.0.0.1:5561", "GRIP_SIG_REQUIRED": "false"}, "GET", "channel=" + strings.Repeat("a", 1024), true, 400, "channel"},
		{"channel naming the SSE twin", map[string]string{"GRIP_URL": "http://127.0.0.1:5561", "GRIP_SIG_REQUIRED": "false"}, "GET", "channel=news.sse", true, 400, ".sse"},
		// edge checks Grip-Sig before the handler sees the method.
		{"POST with a forged signature", map[string]string{"GRIP_URL": testGripURL}, "POST", "", true, 403, "invalid Grip-Sig"},
		{"POST through the proxy", map[string]string{"GRIP_URL": "http://127.0.0.1:5561", "GRIP_SIG_REQUIRED": "false"}, "POST", "", true, 405, "GET"},
		{"prefix applied", map[string]string{"GRIP_URL": "http://127.0.0.1:5561", "GRIP_SIG_REQUIRED": "false", "GRIP_PREFIX": "app-"}, "GET", "channel=scores", true, 200, "streaming scores"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHandler(t, tc.vars)
			q, _ := url.ParseQuery(tc.query)
			r := &apigw.Request{Method: tc.method, Header: http.Header{}, Query: q}
			if tc.sig {
				r.Header.Set("Grip-Sig", "eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjR9.c2ln")
			}
			resp, err := eventtest.Serve(t, h.Lambda, r)
			if err != nil {
				t.Fatal(err)
			}
			if resp.Status != tc.status || !strings.Contains(string(resp.Body), tc.want) {
				t.Errorf("got %d %q, want %d containing %q", resp.Status, resp.Body, tc.status, tc.want)
			}
			// Every answer, refusals included, is text a browser must not sniff.
			if got := resp.Header.Values("X-Content-Type-Options"); len(got) != 1 || got[0] != "nosniff" {
				t.Errorf("X-Content-Type-Options %q, want nosniff", got)
			}
			if tc.vars["GRIP_PREFIX"] != "" && resp.Header.Get("Grip-Channel") != "app-scores" {
				t.Errorf("Grip-Channel %q, want the prefixed name", resp.Header.Get("Grip-Channel"))
			}
		})
	}
}
