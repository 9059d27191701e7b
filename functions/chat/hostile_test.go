package main

import (
	"net/http"
	"strings"
	"testing"

	"github.com/faas-grip/faas-grip-go/internal/grip/apigw"
	"github.com/faas-grip/faas-grip-go/tools/eventtest"
)

// Hostile or broken requests get a clear 4xx (or an error message to that
// client), never a panic, and publish nothing.
func TestChatHostileInput(t *testing.T) {
	woh := func(body string) *apigw.Request {
		return &apigw.Request{Method: "POST", Header: http.Header{
			"Content-Type": {"application/websocket-events"}, "Connection-Id": {"c1"},
			"Grip-Sig": {"x"}, // replaced by a valid signature below
		}, Body: []byte(body)}
	}
	const badNick = `TEXT m:{"type":"notice","code":"bad-nick","text":"a nick is 1 to 32 printable characters, e.g. /nick alice"}`
	const tooLarge = `TEXT m:{"type":"notice","code":"too-large","text":"your message was not sent: messages are limited to 4096 bytes"}`
	tenMB := "TEXT a00000\r\n" + strings.Repeat("a", 10<<20) + "\r\n"
	tests := []struct {
		name   string
		req    *apigw.Request
		status int
		events []string // when 200: what the client is told
	}{
		{"truncated body", woh("TEXT 5\r\nhel"), 400, nil},
		{"bad hex", woh("TEXT zz\r\nhello\r\n"), 400, nil},
		{"length far past the body", woh("TEXT ffffffffff\r\nhi\r\n"), 400, nil},
		{"unknown event", woh("SHOUT 2\r\nhi\r\n"), 400, nil},
		{"missing CRLF", woh("TEXT 2\r\nhi"), 400, nil},
		{"10 MB declared, 10 MB sent", woh(tenMB), 200, []string{tooLarge}},
		{"invalid UTF-8 text", woh("TEXT 2\r\n\xff\xfe\r\n"), 200, []string{`TEXT m:{"type":"notice","code":"bad-message","text":"messages must be valid UTF-8"}`}},
		{"nick with CR LF", woh("TEXT f\r\n/nick a\r\nSet: x\r\n"), 200, []string{badNick}},
		{"nick with NUL", woh("TEXT 9\r\n/nick a\x00b\r\n"), 200, []string{badNick}},
		{"nick of 4000 bytes", woh("TEXT fa6\r\n/nick " + strings.Repeat("n", 4000) + "\r\n"), 200, []string{badNick}},
		{"nick of 10 KB", woh("TEXT 2806\r\n/nick " + strings.Repeat("n", 10240) + "\r\n"), 200, []string{tooLarge}},
		{"binary message", woh("BINARY 2\r\n\x00\x01\r\n"), 200, []string{`TEXT m:{"type":"notice","code":"bad-message","text":"binary messages are not supported"}`}},
		{"wrong content type", &apigw.Request{Method: "POST", Header: http.Header{"Content-Type": {"application/json"}, "Connection-Id": {"c1"}}, Body: []byte(`{}`)}, 400, nil},
		{"no connection id", &apigw.Request{Method: "POST", Header: http.Header{"Content-Type": {"application/websocket-events"}}}, 400, nil},
		{"wrong method", &apigw.Request{Method: "DELETE", Header: http.Header{}}, 405, nil},
	}
	sig := validSig(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h, pub := newHandler(t, map[string]string{"GRIP_URL": testGripURL})
			// Through the proxy, so the chat itself answers (edge refuses the unsigned).
			tc.req.Header.Set("Grip-Sig", sig)
			resp, err := h.Handle(t.Context(), tc.req)
			if err != nil {
				t.Fatal(err)
			}
			if resp.Status != tc.status {
				t.Fatalf("status %d (%q), want %d", resp.Status, resp.Body, tc.status)
			}
			if tc.status >= 400 && len(resp.Body) == 0 {
				t.Error("a refusal must say why")
			}
			if tc.events != nil {
				got := eventtest.Events(t, resp.Body)
				if strings.Join(got, "|") != strings.Join(tc.events, "|") {
					t.Errorf("events %q, want %q", got, tc.events)
				}
			}
			if len(pub.Calls) != 0 {
				t.Errorf("published %d times: bad input must publish nothing", len(pub.Calls))
			}
		})
	}
}

// validSig is the sample events' Grip-Sig (Pushpin's default key, exp 2100).
func validSig(t testing.TB) string {
	t.Helper()
	var e struct {
		Headers map[string]string `json:"headers"`
	}
	decodeJSON(t, eventtest.Load(t, "chat-message.json"), &e)
	return e.Headers["grip-sig"]
}
