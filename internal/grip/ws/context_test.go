package ws

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/faas-grip/faas-grip-go/internal/grip"
	"github.com/faas-grip/faas-grip-go/internal/grip/apigw"
	"github.com/faas-grip/faas-grip-go/internal/grip/woh"
)

// wohHeader returns the headers of a WoH request for connection id plus extra
// name/value pairs.
func wohHeader(id string, extra ...string) http.Header {
	h := http.Header{
		"Content-Type":  {woh.ContentType},
		"Accept":        {woh.ContentType},
		"Connection-Id": {id},
	}
	for i := 0; i+1 < len(extra); i += 2 {
		h.Add(extra[i], extra[i+1])
	}
	return h
}

func mustParse(t testing.TB, body string, opts grip.Config, extraHeaders ...string) *Context {
	t.Helper()
	c, err := parse(http.MethodPost, wohHeader("conn-1", extraHeaders...), []byte(body), opts)
	if err != nil {
		t.Fatalf("parse(%q): %v", body, err)
	}
	return c
}

func TestParseRejectsOtherRequests(t *testing.T) {
	tests := []struct {
		name   string
		method string
		header http.Header
		reason string
	}{
		{"GET", http.MethodGet, wohHeader("c"), `method is "GET", want POST`},
		{"lower-case post", "post", wohHeader("c"), `method is "post"`},
		{"no content type", http.MethodPost, http.Header{"Connection-Id": {"c"}}, `Content-Type is ""`},
		{"json", http.MethodPost, http.Header{"Content-Type": {"application/json"}, "Connection-Id": {"c"}}, `Content-Type is "application/json"`},
		{"prefix of the type", http.MethodPost, http.Header{"Content-Type": {"application/websocket"}, "Connection-Id": {"c"}}, "want application/websocket-events"},
		{"no connection id", http.MethodPost, http.Header{"Content-Type": {woh.ContentType}}, "no Connection-Id header"},
		{"empty connection id", http.MethodPost, http.Header{"Content-Type": {woh.ContentType}, "Connection-Id": {""}}, "no Connection-Id header"},
		{"long value is cut", http.MethodPost, http.Header{"Content-Type": {strings.Repeat("x", 500)}, "Connection-Id": {"c"}}, `xxx..."`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := parse(tc.method, tc.header, nil, grip.Config{})
			if c != nil {
				t.Error("parse returned a Context with an error")
			}
			if !errors.Is(err, errNotWebSocketOverHTTP) || !strings.Contains(err.Error(), tc.reason) {
				t.Fatalf("parse error = %v, want errNotWebSocketOverHTTP saying %q", err, tc.reason)
			}
			if len(err.Error()) > 200 {
				t.Errorf("error message is %d bytes long", len(err.Error()))
			}
		})
	}
}

func TestParseAcceptsContentTypeVariants(t *testing.T) {
	for _, ct := range []string{
		"application/websocket-events",
		"Application/WebSocket-Events",
		"application/websocket-events; charset=utf-8",
		" application/websocket-events ;x=y",
	} {
		h := http.Header{"Content-Type": {ct}, "Connection-Id": {"c"}}
		if _, err := parse(http.MethodPost, h, nil, grip.Config{}); err != nil {
			t.Errorf("Content-Type %q: %v", ct, err)
		}
	}
}

func TestParseMalformedBody(t *testing.T) {
	for _, body := range []string{"TEXT 5\r\nhi\r\n", "OPEN\r\nTEXT", "TEXT 5", "NOPE\r\n"} {
		_, err := parse(http.MethodPost, wohHeader("c"), []byte(body), grip.Config{})
		if err == nil || !strings.Contains(err.Error(), "woh: malformed body at byte") {
			t.Errorf("parse(%q) error = %v, want woh's syntax error", body, err)
		}
		if errors.Is(err, errNotWebSocketOverHTTP) {
			t.Errorf("parse(%q): a malformed body is not a non-WoH request", body)
		}
	}
}

func TestFromRequest(t *testing.T) {
	r := &apigw.Request{Method: http.MethodPost, Path: "/chat", Header: wohHeader("abc"), Body: []byte("OPEN\r\n")}
	c, err := FromRequest(r, grip.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if c.ID() != "abc" || !c.IsOpening() {
		t.Fatalf("ID = %q, IsOpening = %v", c.ID(), c.IsOpening())
	}
	if _, err := FromRequest(nil, grip.Config{}); !errors.Is(err, errNotWebSocketOverHTTP) {
		t.Fatalf("FromRequest(nil) = %v, want errNotWebSocketOverHTTP", err)
	}
}

func TestIsOpening(t *testing.T) {
	tests := []struct {
		body string
		want bool
	}{
		{"OPEN\r\n", true},
		{"OPEN 0\r\n\r\n", true},
		{"OPEN\r\nTEXT 2\r\nhi\r\n", true},
		{"TEXT 2\r\nhi\r\n", false},
		{"TEXT 2\r\nhi\r\nOPEN\r\n", false},
		{"", false},
	}
	for _, tc := range tests {
		if got := mustParse(t, tc.body, grip.Config{}).IsOpening(); got != tc.want {
			t.Errorf("IsOpening(%q) = %v, want %v", tc.body, got, tc.want)
		}
	}
}

func TestIsClosing(t *testing.T) {
	for body, want := range map[string]bool{
		"CLOSE 2\r\n\x03\xe8\r\n":   true,
		"TEXT 2\r\nhi\r\nCLOSE\r\n": true,
		"DISCONNECT\r\n":            true,
		"OPEN\r\nTEXT 2\r\nhi\r\n":  false,
		"TEXT 2\r\nhi\r\nPING\r\n":  false,
		"":                          false,
	} {
		if got := mustParse(t, body, grip.Config{}).IsClosing(); got != want {
			t.Errorf("IsClosing(%q) = %v, want %v", body, got, want)
		}
	}
}
