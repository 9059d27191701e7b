package woh

import (
	"strings"
	"testing"
)

// chatMessage is a typical chat message as a browser client sends it.
var chatMessage = string(Encode(Event{Type: Text, Content: []byte(`{"text":"hello, everyone!!"}`)}))

func benchmarkDecodeEncode(b *testing.B, body []byte) {
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		events, err := Decode(body)
		if err != nil {
			b.Fatal(err)
		}
		if out := Encode(events...); len(out) != len(body) {
			b.Fatalf("encoded %d bytes, want %d", len(out), len(body))
		}
	}
}

func BenchmarkDecodeEncode1(b *testing.B) {
	benchmarkDecodeEncode(b, []byte(chatMessage))
}

func BenchmarkDecodeEncode100(b *testing.B) {
	benchmarkDecodeEncode(b, []byte(strings.Repeat(chatMessage, 100)))
}
