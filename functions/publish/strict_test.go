package main

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/faas-grip/faas-grip-go/internal/grip"
)

// encoding/json takes the last of duplicate keys and matches keys without
// regard to case, so two readers of one message could disagree on what it
// says. The publish input accepts each known key once, spelled exactly.
func TestStrictKeys(t *testing.T) {
	tests := []struct {
		payload string
		want    string
	}{
		{`{"channel":"news","channel":"admin","text":"x"}`, `field "channel": given twice`},
		{`{"channel":"news","text":"x","text":"y"}`, `field "text": given twice`},
		{`{"Channel":"admin","channel":"news","text":"x"}`, `field "Channel": unknown field (keys are case-sensitive: did you mean "channel"?)`},
		{`{"channel":"news","TEXT":"x"}`, `field "TEXT": unknown field (keys are case-sensitive: did you mean "text"?)`},
		{`{"channel":"news","Formats":{"ws-message":{"content":"x"}}}`, `field "Formats": unknown field`},
		{`{"channel":"news","formats":{"ws-message":{"content":"x"},"ws-message":{"content":"y"}}}`, `field "formats.ws-message": given twice`},
		{`{"channel":"news","formats":{"WS-Message":{"content":"x"}}}`, `field "formats.WS-Message": unknown field (keys are case-sensitive: did you mean "ws-message"?)`},
		{`{"channel":"news","formats":{"ws-message":{"content":"x","Content":"y"}}}`, `field "formats.ws-message.Content": unknown field`},
		{`{"channel":"news","formats":{"ws-message":{"content":"x","content":"y"}}}`, `field "formats.ws-message.content": given twice`},
		{`{"channel":"news","formats":{"http-stream":{"content":"x","content":"y"}}}`, `field "formats.http-stream.content": given twice`},
		{`{"channel":"news","formats":{"http-response":{"body":"x","code":200,"code":500}}}`, `field "formats.http-response.code": given twice`},
		{`{"channel":"news","formats":{"http-response":{"body":"x","headers":{"X-A":"1","X-A":"2"}}}}`, `field "formats.http-response.headers.X-A": given twice`},
		{`{"channel":"news","formats":{"http-response":{"body":"x","headers":{"Content-Type":"text/html","content-type":"text/plain"}}}}`, `field "formats.http-response.headers.content-type": given twice (header names ignore case)`},
		{`{"channel":"news","formats":{"ws-message":{"bogus":1}}}`, `field "formats.ws-message.bogus": unknown field`},
		{`{"channel":"news","text":"x` + "\xff" + `"}`, `field "text": invalid UTF-8`},
		{`{"channel":"news","formats":{"http-response":{"body":"x","headers":{"X-` + "\xff" + `":"1"}}}}`, `field "formats.http-response.headers": invalid UTF-8`},
		{`{"channel":"news","text":{"a":1,"a":2}}`, `field "text": must be a string`},
		// A direct invoke's envelope is as strict as the messages in it.
		{`{"Messages":[{"channel":"news","text":"x"}]}`, `field "Messages": unknown field (keys are case-sensitive: did you mean "messages"?)`},
		{`{"messages":[{"channel":"news","text":"x"}],"messages":[]}`, `field "messages": given twice`},
		{`{"messages":[{"channel":"news","text":"x"}],"channel":"news"}`, `field "channel": unknown field`},
		{`{"messages":[{"channel":"news","Text":"x"}]}`, `field "Text": unknown field (keys are case-sensitive: did you mean "text"?)`},
	}
	for _, tc := range tests {
		name := tc.payload
		if len(name) > 70 {
			name = name[:70]
		}
		t.Run(name, func(t *testing.T) {
			h, pub := newHandler(t)
			_, err := h.Handle(t.Context(), json.RawMessage(tc.payload))
			var inputErr *InputError
			if !errors.As(err, &inputErr) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want an InputError containing %q", err, tc.want)
			}
			if len(pub.Calls) != 0 {
				t.Error("invalid input must publish nothing")
			}
		})
	}
}

// What was valid stays valid: each known key once, in any order, any
// whitespace, nulls, and header names of any case when they differ.
func TestStrictKeysAcceptValidInput(t *testing.T) {
	for _, payload := range []string{
		`{"channel":"news","text":"x"}`,
		` { "text" : "x" , "channel" : "news" , "idempotency-key" : "k" } `,
		`{"channel":"news","id":"1","prev-id":"0","formats":{"http-response":{"code":200,"reason":"OK","headers":{"Content-Type":"text/plain","X-A":"1","x-b":"2"},"body":"b"},"http-stream":{"content":"c"},"ws-message":{"type":"text","content":"m"}}}`,
		`{"channel":"news","formats":{"ws-message":{"action":"close","code":1000,"reason":"bye"},"http-stream":{"action":"close"}}}`,
		`{"channel":"news","formats":{"ws-message":{"content-bin":"AAE="},"http-response":{"body-bin":"AAE=","headers":null},"http-stream":null}}`,
		`{"channel":"ünï/\u00e9","text":"héllo \u2603 \ud83d\ude00"}`,
	} {
		if _, err := parseMessage([]byte(payload), grip.Config{}); err != nil {
			t.Errorf("%s: %v", payload, err)
		}
	}
}

// BenchmarkParseMessage is the input parsing alone; checkKeys is its
// strictness pass.
func BenchmarkParseMessage(b *testing.B) {
	for name, body := range map[string]string{
		"text":    `{"channel":"news","text":"first headline"}`,
		"formats": `{"channel":"news","id":"custom-1","formats":{"http-response":{"headers":{"Content-Type":"text/plain"},"body":"raw long-poll body\n"},"http-stream":{"content":"raw stream chunk\n"},"ws-message":{"content":"raw ws message"}}}`,
	} {
		b.Run("message="+name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := parseMessage([]byte(body), grip.Config{}); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("checkKeys="+name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := checkKeys([]byte(body)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
