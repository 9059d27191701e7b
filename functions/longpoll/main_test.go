package main

import (
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/faas-grip/faas-grip-go/internal/eventtest"
	"github.com/faas-grip/faas-grip-go/internal/grip/apigw"
	"github.com/faas-grip/faas-grip-go/internal/history"
	"github.com/faas-grip/faas-grip-go/internal/lambdaenv"
)

// The sample events carry a Grip-Sig signed with Pushpin's default key.
const testGripURL = "http://127.0.0.1:5561?verify-iss=pushpin&verify-key=changeme"

// newHandler returns a handler with a history holding n messages on "news".
func newHandler(t *testing.T, vars map[string]string, n int) *Handler {
	t.Helper()
	env, err := lambdaenv.LoadOrigin(t.Context(), func(k string) string { return vars[k] }, nil)
	if err != nil {
		t.Fatal(err)
	}
	store, err := history.NewDirStore(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= n; i++ {
		if _, err := store.Append(t.Context(), "news", []byte("headline "+string(rune('0'+i)))); err != nil {
			t.Fatal(err)
		}
	}
	return &Handler{Env: env, History: store, DefaultChannel: "news", Timeout: 55 * time.Second,
		Logger: eventtest.Logger(t, "changeme")}
}

func TestLongpollEvents(t *testing.T) {
	held := func(prevID string) map[string][]string {
		ch := "news"
		if prevID != "" {
			ch += "; prev-id=" + prevID
		}
		return map[string][]string{
			"Content-Type": {"application/json"}, "Cache-Control": {"no-cache"},
			"Grip-Hold": {"response"}, "Grip-Channel": {ch}, "Grip-Timeout": {"55"},
		}
	}
	immediate := map[string][]string{"Content-Type": {"application/json"}, "Cache-Control": {"no-cache"}}
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
			out := eventtest.Invoke(t, apigw.Adapt(h.Handle), eventtest.Load(t, tc.event))
			resp, body := eventtest.RESTResponse(t, out)
			if resp.StatusCode != 200 {
				t.Fatalf("status %d: %s", resp.StatusCode, body)
			}
			got := map[string][]string{}
			for k, v := range resp.Headers {
				got[k] = []string{v}
			}
			for k, v := range resp.MultiValueHeaders {
				got[k] = v
			}
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
		{"other channel, no history", open, "GET", "channel=sports&last_id=7", 200, `"last_id":"7"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHandler(t, tc.vars, 0)
			q, _ := url.ParseQuery(tc.query)
			r := &apigw.Request{Method: tc.method, Header: http.Header{"Grip-Sig": {"eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjR9.c2ln"}}, Query: q}
			resp, err := h.Handle(t.Context(), r)
			if err != nil {
				t.Fatal(err)
			}
			if resp.Status != tc.status || !strings.Contains(string(resp.Body), tc.want) {
				t.Errorf("got %d %q, want %d containing %q", resp.Status, resp.Body, tc.status, tc.want)
			}
		})
	}
}

func TestLongpollWithoutHistory(t *testing.T) {
	h := newHandler(t, map[string]string{"GRIP_URL": testGripURL}, 0)
	h.History = nil
	out := eventtest.Invoke(t, apigw.Adapt(h.Handle), eventtest.Load(t, "longpoll-resume.json"))
	resp, _ := eventtest.RESTResponse(t, out)
	if resp.Headers["Grip-Hold"] != "response" || resp.Headers["Grip-Channel"] != "news; prev-id=1" {
		t.Errorf("without history the request is held on the client's id: %v", resp.Headers)
	}
}
