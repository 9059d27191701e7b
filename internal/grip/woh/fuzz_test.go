package woh

import (
	"bytes"
	"errors"
	"testing"
)

// FuzzDecode checks that Decode never panics, that every error is a
// *syntaxError within the body, and that decoding is stable under a round
// trip: decode(encode(decode(x))) equals decode(x). The seed corpus in
// testdata/fuzz/FuzzDecode holds the vectors of PROTOCOL.md.
func FuzzDecode(f *testing.F) {
	f.Fuzz(func(t *testing.T, body []byte) {
		events, err := Decode(body)
		if err != nil {
			var syntax *syntaxError
			if !errors.As(err, &syntax) {
				t.Fatalf("Decode(%q) error %v is not a *syntaxError", body, err)
			}
			if syntax.offset < 0 || syntax.offset > len(body) {
				t.Fatalf("Decode(%q) error offset %d outside the body", body, syntax.offset)
			}
			if events != nil {
				t.Fatalf("Decode(%q) returned events with an error", body)
			}
			return
		}
		encoded := Encode(events...)
		again, err := Decode(encoded)
		if err != nil {
			t.Fatalf("Decode(Encode(Decode(%q))) = %v", body, err)
		}
		if !sameEvents(events, again) {
			t.Fatalf("round trip changed %q: %q became %q", body, events, again)
		}
		if !bytes.Equal(Encode(again...), encoded) {
			t.Fatalf("Encode is not canonical for %q", body)
		}
	})
}
