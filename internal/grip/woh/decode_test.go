package woh

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// ev builds an event with content; evNil one without.
func ev(t EventType, content string) Event { return Event{Type: t, Content: []byte(content)} }
func evNil(t EventType) Event              { return Event{Type: t} }

// sameEvents compares events including the nil / empty content distinction.
func sameEvents(a, b []Event) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Type != b[i].Type || (a[i].Content == nil) != (b[i].Content == nil) ||
			!bytes.Equal(a[i].Content, b[i].Content) {
			return false
		}
	}
	return true
}

// decodeVectors are the valid bodies of PROTOCOL.md and their events.
// canonical is the body Encode produces for them when it differs from body.
var decodeVectors = []struct {
	name      string
	body      string
	want      []Event
	canonical string
}{
	{name: "empty body", body: "", want: nil},
	{name: "open", body: "OPEN\r\n", want: []Event{evNil(Open)}},
	{name: "text", body: "TEXT 5\r\nhello\r\n", want: []Event{ev(Text, "hello")}},
	{name: "empty text", body: "TEXT 0\r\n\r\n", want: []Event{ev(Text, "")}},
	{name: "text without content", body: "TEXT\r\n", want: []Event{evNil(Text)}},
	{name: "binary", body: "BINARY 3\r\n\x00\xff\r\r\n", want: []Event{ev(Binary, "\x00\xff\r")}},
	{name: "close 1000", body: "CLOSE 2\r\n\x03\xe8\r\n", want: []Event{ev(Close, "\x03\xe8")}},
	{name: "close with reason", body: "CLOSE 5\r\n\x03\xe9bye\r\n", want: []Event{ev(Close, "\x03\xe9bye")}},
	{name: "close without code", body: "CLOSE\r\n", want: []Event{evNil(Close)}},
	{name: "ping with content", body: "PING 4\r\nabcd\r\n", want: []Event{ev(Ping, "abcd")}},
	{name: "pong with content", body: "PONG 4\r\nabcd\r\n", want: []Event{ev(Pong, "abcd")}},
	{name: "bare ping pong", body: "PING\r\nPONG\r\n", want: []Event{evNil(Ping), evNil(Pong)}},
	{name: "disconnect", body: "DISCONNECT\r\n", want: []Event{evNil(Disconnect)}},
	{name: "open with empty content", body: "OPEN 0\r\n\r\n", want: []Event{ev(Open, "")}},
	{name: "disconnect with content", body: "DISCONNECT 1\r\nx\r\n", want: []Event{ev(Disconnect, "x")}},
	{
		name: "upper-case hex", body: "TEXT 1A\r\nabcdefghijklmnopqrstuvwxyz\r\n",
		want: []Event{ev(Text, "abcdefghijklmnopqrstuvwxyz")}, canonical: "TEXT 1a\r\nabcdefghijklmnopqrstuvwxyz\r\n",
	},
	{
		name: "leading zeros in length", body: "TEXT 005\r\nhello\r\n",
		want: []Event{ev(Text, "hello")}, canonical: "TEXT 5\r\nhello\r\n",
	},
	{
		// The old Go library counted runes here and lost the events that followed.
		name: "lengths are bytes", body: "TEXT 6\r\nh\xc3\xa9llo\r\nTEXT 2\r\nok\r\n",
		want: []Event{ev(Text, "héllo"), ev(Text, "ok")},
	},
	{name: "content holding CRLF", body: "TEXT 4\r\n\r\n\r\n\r\n", want: []Event{ev(Text, "\r\n\r\n")}},
	{
		name: "accept, subscribe and a message",
		body: "OPEN\r\nTEXT 27\r\nc:{\"channel\":\"room\",\"type\":\"subscribe\"}\r\nTEXT 7\r\nm:hello\r\n",
		want: []Event{evNil(Open), ev(Text, `c:{"channel":"room","type":"subscribe"}`), ev(Text, "m:hello")},
	},
	{
		name: "all seven",
		body: "OPEN\r\nTEXT 2\r\nhi\r\nBINARY 1\r\n\x01\r\nPING\r\nPONG\r\nCLOSE 2\r\n\x03\xe8\r\nDISCONNECT\r\n",
		want: []Event{evNil(Open), ev(Text, "hi"), ev(Binary, "\x01"), evNil(Ping), evNil(Pong), ev(Close, "\x03\xe8"), evNil(Disconnect)},
	},
}

func TestDecode(t *testing.T) {
	for _, tc := range decodeVectors {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Decode([]byte(tc.body))
			if err != nil {
				t.Fatalf("Decode(%q): %v", tc.body, err)
			}
			if !sameEvents(got, tc.want) {
				t.Fatalf("Decode(%q) = %q, want %q", tc.body, got, tc.want)
			}
		})
	}
}

func TestEncodeVectors(t *testing.T) {
	for _, tc := range decodeVectors {
		t.Run(tc.name, func(t *testing.T) {
			want := tc.body
			if tc.canonical != "" {
				want = tc.canonical
			}
			if got := Encode(tc.want...); string(got) != want {
				t.Fatalf("Encode(%q) = %q, want %q", tc.want, got, want)
			}
		})
	}
}

func TestDecodeMalformed(t *testing.T) {
	tests := []struct {
		name   string
		body   string
		offset int
		reason string
	}{
		{"declared content missing", "TEXT 5", 6, reasonMissingCRLF},
		{"declared content missing after CRLF", "TEXT 5\r\n", 8, reasonPastEnd},
		{"length past end", "TEXT 10\r\nhello\r\n", 9, reasonPastEnd},
		{"event cut after name", "OPEN\r\nTEXT", 10, reasonMissingCRLF},
		{"name cut at CR", "OPEN\r", 4, reasonMissingCRLF},
		{"bare LF", "OPEN\n", 4, reasonMissingCRLF},
		{"CR not followed by LF", "OPEN\rX", 4, reasonMissingCRLF},
		{"unknown name", "FOO\r\n", 0, reasonUnknownName},
		{"unknown name after a good event", "OPEN\r\nHELLO 1\r\nx\r\n", 6, reasonUnknownName},
		{"lower-case name", "text 2\r\nhi\r\n", 0, reasonUnknownName},
		{"mixed-case name", "Text 2\r\nhi\r\n", 0, reasonUnknownName},
		{"name with suffix", "TEXTS\r\n", 0, reasonUnknownName},
		{"name with digit", "TEXT2\r\n", 0, reasonUnknownName},
		{"empty name", "\r\n", 0, reasonUnknownName},
		{"leading space", " TEXT\r\n", 0, reasonUnknownName},
		{"name then tab", "TEXT\t2\r\nhi\r\n", 4, reasonMissingCRLF},
		{"bad hex", "TEXT x\r\nhi\r\n", 5, reasonBadLength},
		{"hex then garbage", "TEXT 2x\r\nhi\r\n", 6, reasonBadLength},
		{"space without length", "TEXT \r\n", 5, reasonBadLength},
		{"two spaces", "TEXT  2\r\nhi\r\n", 5, reasonBadLength},
		{"negative length", "TEXT -1\r\n\r\n", 5, reasonBadLength},
		{"plus sign", "TEXT +2\r\nhi\r\n", 5, reasonBadLength},
		{"length then CR at end", "TEXT 2\r", 6, reasonMissingCRLF},
		{"huge length", "TEXT 7fffffff\r\nhi\r\n", 5, reasonLengthTooLarge},
		{"overflowing length", "TEXT ffffffffffffffffffffffff\r\nhi\r\n", 5, reasonLengthTooLarge},
		{"content without CRLF", "TEXT 2\r\nhi", 10, reasonMissingEndCRLF},
		{"content then CR only", "TEXT 2\r\nhi\r", 10, reasonMissingEndCRLF},
		{"length one short", "TEXT 4\r\nhello\r\n", 12, reasonMissingEndCRLF},
		{"length one long", "TEXT 6\r\nhello\r\n", 14, reasonMissingEndCRLF},
		{"trailing garbage", "OPEN\r\nx", 6, reasonUnknownName},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Decode([]byte(tc.body))
			if got != nil {
				t.Errorf("Decode(%q) returned events %q with the error", tc.body, got)
			}
			var syntax *syntaxError
			if !errors.As(err, &syntax) {
				t.Fatalf("Decode(%q) error %v is not a *syntaxError", tc.body, err)
			}
			if syntax.offset != tc.offset || syntax.reason != tc.reason {
				t.Errorf("Decode(%q) = offset %d %q, want offset %d %q", tc.body, syntax.offset, syntax.reason, tc.offset, tc.reason)
			}
			if !strings.Contains(err.Error(), tc.reason) {
				t.Errorf("error text %q does not say %q", err, tc.reason)
			}
		})
	}
}

func TestAppendDecode(t *testing.T) {
	t.Run("appends after existing events", func(t *testing.T) {
		dst := []Event{evNil(Open)}
		got, err := AppendDecode(dst, []byte("TEXT 2\r\nhi\r\n"))
		if err != nil || !sameEvents(got, []Event{evNil(Open), ev(Text, "hi")}) {
			t.Fatalf("AppendDecode = %q, %v", got, err)
		}
	})
	t.Run("reuses capacity", func(t *testing.T) {
		var store [4]Event
		got, err := AppendDecode(store[:0], []byte("TEXT 2\r\nhi\r\n"))
		if err != nil || &got[0] != &store[0] {
			t.Fatalf("AppendDecode did not use the given array (err %v)", err)
		}
	})
	t.Run("error keeps dst length and drops references", func(t *testing.T) {
		store := make([]Event, 1, 8)
		got, err := AppendDecode(store, []byte("TEXT 2\r\nhi\r\nBAD\r\n"))
		if !errors.As(err, new(*syntaxError)) || len(got) != 1 {
			t.Fatalf("AppendDecode = len %d, %v; want len 1 and a *syntaxError", len(got), err)
		}
		if store[:2][1].Content != nil {
			t.Errorf("AppendDecode left a reference to the body behind")
		}
	})
	t.Run("content cannot overwrite the body", func(t *testing.T) {
		body := []byte("TEXT 2\r\nhi\r\nTEXT 2\r\nyo\r\n")
		events, err := Decode(body)
		if err != nil {
			t.Fatal(err)
		}
		_ = append(events[0].Content, "XXXX"...)
		if string(body) != "TEXT 2\r\nhi\r\nTEXT 2\r\nyo\r\n" {
			t.Fatalf("appending to content changed the body: %q", body)
		}
	})
	t.Run("large batch", func(t *testing.T) {
		body := bytes.Repeat([]byte("TEXT 1\r\n\n\r\n"), 3000) // many newlines: estimate is capped
		events, err := Decode(body)
		if err != nil || len(events) != 3000 {
			t.Fatalf("Decode = %d events, %v; want 3000", len(events), err)
		}
	})
}
