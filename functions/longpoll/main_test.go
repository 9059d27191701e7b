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
	"github.com/faas-grip/faas-grip-go/internal/feed"
	"github.com/faas-grip/faas-grip-go/internal/grip/apigw"
	"github.com/faas-grip/faas-grip-go/internal/history"
	"github.com/faas-grip/faas-grip-go/tools/eventtest"
)

// The sample events carry a Grip-Sig signed with Pushpin's default key.
const testGripURL = "http://127.0.0.1:5561?verify-iss=pushpin&verify-key=changeme"

// deployed is the long-poll as edge serves it: the Grip-Sig check, then the
// handler; History is the store the handler reads, for tests to fill.
type deployed struct {
	Lambda  lambda.Handler // event JSON in, Grip-Sig checked
	Handle  apigw.Handler  // the handler setup returned
	History history.Store
}

// newHandler builds the function through edge with main's own setup, its
// history (HISTORY_DIR) holding n messages on "news".
func newHandler(t *testing.T, vars map[string]string, n int) *deployed {
	t.Helper()
	return newHandlerLogging(t, vars, n, eventtest.Logger(t, "changeme"))
}

// newHandlerLogging is newHandler logging to logger; n < 0 runs without history.
func newHandlerLogging(t *testing.T, vars map[string]string, n int, logger *slog.Logger) *deployed {
	t.Helper()
	d := &deployed{}
	env := map[string]string{}
	for k, v := range vars {
		env[k] = v
	}
	if n >= 0 {
		dir := t.TempDir()
		store, err := history.NewDirStore(dir)
		if err != nil {
			t.Fatal(err)
		}
		for i := 1; i <= n; i++ {
			if _, err := store.Append(t.Context(), "news", []byte("headline "+string(rune('0'+i)))); err != nil {
				t.Fatal(err)
			}
		}
		env[history.EnvDir], d.History = dir, store
	}
	var err error
	if d.Lambda, err = edge.NewHTTPHandler(t.Context(), func(k string) string { return env[k] }, logger, eventtest.Capture(setup, &d.Handle)); err != nil {
		t.Fatal(err)
	}
	return d
}

func TestLongpollEvents(t *testing.T) {
	held := func(prevID string) map[string][]string {
		h := map[string][]string{
			"Content-Type": {"application/json"}, "X-Content-Type-Options": {"nosniff"}, "Cache-Control": {"no-cache"},
			"Grip-Hold": {"response"}, "Grip-Channel": {"news"}, "Grip-Timeout": {"55"},
		}
		if prevID != "" { // with the release check (feed.HoldReleaseCheck)
			h["Grip-Channel"] = []string{"news; prev-id=" + prevID + ", news.lpcheck; filter=skip-self"}
			h["Grip-Set-Meta"] = []string{`user="` + prevID + `"`}
		}
		return h
	}
	immediate := map[string][]string{"Content-Type": {"application/json"}, "X-Content-Type-Options": {"nosniff"}, "Cache-Control": {"no-cache"}}
	tests := []struct {
		name    string
		event   string
		history int // messages already published on "news"
		header  map[string][]string
		body    string
	}{
		{"fresh, empty channel: held", "longpoll-fresh.json", 0, held(""),
			`{"channel":"news","messages":[]}` + "\n"},
		{"fresh, busy channel: held after the newest", "longpoll-fresh.json", 3, held("3"),
			`{"channel":"news","messages":[],"last_id":"3"}` + "\n"},
		{"resume, up to date: held", "longpoll-resume.json", 1, held("1"),
			`{"channel":"news","messages":[],"last_id":"1"}` + "\n"},
		{"resume, behind: answered at once with what it missed", "longpoll-resume.json", 3, immediate,
			`{"channel":"news","messages":[{"id":"2","text":"headline 2"},{"id":"3","text":"headline 3"}],"last_id":"3"}` + "\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHandler(t, map[string]string{"GRIP_URL": testGripURL}, tc.history)
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
				t.Errorf("body:\n got %s\nwant %s", body, tc.body)
			}
		})
	}
}

func TestLongpollRequests(t *testing.T) {
	open := map[string]string{"GRIP_URL": "http://127.0.0.1:5561", "GRIP_SIG_REQUIRED": "false"}
	tests := []struct {
		name   string
		vars   map[string]string
		method string
		query  string
		status int
		want   string
	}{
		{"bad last_id", open, "GET", "last_id=abc", 400, "last_id"},
		{"bad channel", open, "GET", "channel=%01x", 400, "channel"},
		{"POST", open, "POST", "", 405, "GET"},
		{"forged signature", map[string]string{"GRIP_URL": testGripURL}, "GET", "", 403, "invalid Grip-Sig"},
		{"last_id ahead of an empty channel: restart", open, "GET", "channel=sports&last_id=7", 200, `{"channel":"sports","messages":[],"gap":true}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHandler(t, tc.vars, 0)
			q, _ := url.ParseQuery(tc.query)
			r := &apigw.Request{Method: tc.method, Header: http.Header{"Grip-Sig": {"eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjR9.c2ln"}}, Query: q}
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
		})
	}
}

func TestLongpollWithoutHistory(t *testing.T) {
	h := newHandlerLogging(t, map[string]string{"GRIP_URL": testGripURL}, -1, eventtest.Logger(t, "changeme"))
	out := eventtest.Invoke(t, h.Lambda, eventtest.Load(t, "longpoll-resume.json"))
	resp, _ := eventtest.RESTResponse(t, out)
	if resp.Headers["Grip-Hold"] != "response" || resp.Headers["Grip-Channel"] != "news; prev-id=1" {
		t.Errorf("without history the request is held on the client's id: %v", resp.Headers)
	}
}

// The proxy retries a held request with Grip-Last when the channel moved on:
// it wins over the query, and the client gets what it missed.
func TestLongpollGripLast(t *testing.T) {
	tests := []struct {
		name, query, gripLast, prefix string
		body                          string
		held                          string // Grip-Channel when held
	}{
		{"Grip-Last wins over the query", "channel=news&last_id=3", "news; last-id=1", "",
			`{"channel":"news","messages":[{"id":"2","text":"headline 2"},{"id":"3","text":"headline 3"}],"last_id":"3"}`, ""},
		{"Grip-Last names the prefixed channel", "channel=news", "app-news; last-id=2", "app-",
			`{"channel":"news","messages":[{"id":"3","text":"headline 3"}],"last_id":"3"}`, ""},
		{"Grip-Last of another channel is ignored", "channel=news&last_id=3", "sports; last-id=1", "",
			`{"channel":"news","messages":[],"last_id":"3"}`, "news; prev-id=3"},
		{"leading zeros are the same id", "channel=news&last_id=003", "", "",
			`{"channel":"news","messages":[],"last_id":"3"}`, "news; prev-id=3"},
		{"last_id ahead of the channel: restart at the head", "channel=news&last_id=999", "", "",
			`{"channel":"news","messages":[],"last_id":"3","gap":true}`, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHandler(t, map[string]string{"GRIP_URL": "http://127.0.0.1:5561", "GRIP_SIG_REQUIRED": "false", "GRIP_PREFIX": tc.prefix}, 3)
			q, _ := url.ParseQuery(tc.query)
			r := &apigw.Request{Method: "GET", Header: http.Header{"Grip-Sig": {"x"}}, Query: q}
			if tc.gripLast != "" {
				r.Header.Set("Grip-Last", tc.gripLast)
			}
			resp, err := h.Handle(t.Context(), r)
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.TrimSpace(string(resp.Body)); got != tc.body {
				t.Errorf("body %s, want %s", got, tc.body)
			}
			want := tc.held
			if want != "" {
				want = tc.prefix + want
			}
			if got := resp.Header.Get("Grip-Channel"); got != want {
				t.Errorf("Grip-Channel %q, want %q", got, want)
			}
		})
	}
}

func TestLongpollCatchUpIsBounded(t *testing.T) {
	h := newHandler(t, map[string]string{"GRIP_URL": "http://127.0.0.1:5561", "GRIP_SIG_REQUIRED": "false"}, 0)
	big := []byte(strings.Repeat("x", feed.MaxReplayBytes*2/5)) // two fit, not three
	for range 5 {
		if _, err := h.History.Append(t.Context(), "news", big); err != nil {
			t.Fatal(err)
		}
	}
	q, _ := url.ParseQuery("channel=news&last_id=0")
	resp, err := h.Handle(t.Context(), &apigw.Request{Method: "GET", Header: http.Header{"Grip-Sig": {"x"}}, Query: q})
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Body) > feed.MaxReplayBytes+4096 || !strings.Contains(string(resp.Body), `"last_id":"2"`) {
		t.Errorf("%d bytes, last_id %q: want the first two entries only", len(resp.Body), resp.Body[len(resp.Body)-30:])
	}
}
