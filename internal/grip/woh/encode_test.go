package woh

import (
	"bytes"
	"testing"
)

func TestAppendEvents(t *testing.T) {
	tests := []struct {
		name   string
		dst    string
		events []Event
		want   string
	}{
		{"nothing", "", nil, ""},
		{"onto existing bytes", "OPEN\r\n", []Event{ev(Text, "hi")}, "OPEN\r\nTEXT 2\r\nhi\r\n"},
		{"nil content is bare", "", []Event{evNil(Ping)}, "PING\r\n"},
		{"empty content is TEXT 0", "", []Event{ev(Text, "")}, "TEXT 0\r\n\r\n"},
		{"lower-case hex", "", []Event{ev(Binary, string(make([]byte, 255)))}, "BINARY ff\r\n" + string(make([]byte, 255)) + "\r\n"},
		{"multi-digit hex", "", []Event{ev(Text, string(bytes.Repeat([]byte("a"), 4096)))}, "TEXT 1000\r\n" + string(bytes.Repeat([]byte("a"), 4096)) + "\r\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := appendEvents([]byte(tc.dst), tc.events...); string(got) != tc.want {
				t.Fatalf("appendEvents = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestAppendEventsUsesSpareCapacity(t *testing.T) {
	buf := make([]byte, 0, 64)
	got := appendEvents(buf, ev(Text, "hi"))
	if &got[0] != &buf[:1][0] {
		t.Fatal("appendEvents reallocated although dst had room")
	}
}

func TestAppendStart(t *testing.T) {
	tests := []struct {
		typ  EventType
		n    int
		want string
	}{
		{Text, 0, "TEXT 0\r\n"},
		{Text, 39, "TEXT 27\r\n"},
		{Binary, 0xabc, "BINARY abc\r\n"},
		{Close, -1, "CLOSE 0\r\n"},
	}
	for _, tc := range tests {
		if got := AppendStart(nil, tc.typ, tc.n); string(got) != tc.want {
			t.Errorf("AppendStart(%s, %d) = %q, want %q", tc.typ, tc.n, got, tc.want)
		}
	}
}

func TestHexLen(t *testing.T) {
	for _, tc := range []struct{ n, want int }{{0, 1}, {15, 1}, {16, 2}, {255, 2}, {256, 3}, {1 << 20, 6}} {
		if got := hexLen(tc.n); got != tc.want {
			t.Errorf("hexLen(%d) = %d, want %d", tc.n, got, tc.want)
		}
	}
}
