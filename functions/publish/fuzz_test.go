package main

import (
	"encoding/json"
	"testing"

	"github.com/faas-grip/faas-grip-go/internal/grip"
)

// FuzzParseMessage: any input either parses into items that encode, or is an
// *InputError; it never panics.
func FuzzParseMessage(f *testing.F) {
	for _, seed := range []string{
		`{"channel":"news","text":"hello"}`,
		`{"channel":"news","id":"1","formats":{"ws-message":{"content-bin":"AAE="},"http-stream":{"action":"close"},"http-response":{"code":200,"body":""}}}`,
		`{"channel":"a b","text":7}`,
		`{"channel":"news","formats":{"ws-message":{"action":"close","code":1006}}}`,
		`[[[[`, ``, `null`, `{"messages":[]}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		p, err := parseMessage(body, grip.Config{})
		if err != nil {
			if _, ok := err.(*InputError); !ok {
				t.Fatalf("error %T is not an *InputError: %v", err, err)
			}
			return
		}
		if p.size > maxItemsBytes {
			t.Fatalf("accepted a message of %d bytes encoded", p.size)
		}
		for _, it := range p.items {
			if _, err := json.Marshal(it); err != nil {
				t.Fatalf("accepted an item that does not encode: %v", err)
			}
		}
	})
}
