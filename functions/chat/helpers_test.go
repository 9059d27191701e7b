package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/faas-grip/faas-grip-go/internal/grip/apigw"
	"github.com/faas-grip/faas-grip-go/internal/grip/woh"
	"github.com/faas-grip/faas-grip-go/tools/eventtest"
)

// wohRequest is a signed WebSocket-over-HTTP request carrying texts as TEXT
// events and meta as Meta-* headers, as Pushpin sends them.
func wohRequest(t testing.TB, meta map[string]string, texts ...string) *apigw.Request {
	t.Helper()
	h := http.Header{
		"Content-Type":  {"application/websocket-events"},
		"Connection-Id": {"c1"},
		"Grip-Sig":      {validSig(t)},
	}
	for k, v := range meta {
		h.Set("Meta-"+k, v)
	}
	var body []byte
	for _, s := range texts {
		body = append(body, woh.Encode(woh.Event{Type: woh.Text, Content: []byte(s)})...)
	}
	return &apigw.Request{Method: "POST", Header: h, Body: body}
}

// fakeClock is a clock the test moves by hand.
type fakeClock struct{ now time.Time }

func (c *fakeClock) Now() time.Time          { return c.now }
func (c *fakeClock) advance(d time.Duration) { c.now = c.now.Add(d) }

// decodeFrames decodes the "m:" messages of a response into frames; a
// message that is not a frame fails the test.
func decodeFrames(t *testing.T, body []byte) []frame {
	t.Helper()
	var out []frame
	for _, e := range eventtest.Events(t, body) {
		payload, ok := strings.CutPrefix(e, "TEXT m:")
		if !ok {
			continue
		}
		out = append(out, mustFrame(t, payload))
	}
	return out
}

func mustFrame(t *testing.T, s string) frame {
	t.Helper()
	var f frame
	dec := json.NewDecoder(strings.NewReader(s))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		t.Fatalf("not a chat frame: %q: %v", s, err)
	}
	return f
}

// publishedFrames decodes everything published, in order.
func publishedFrames(t *testing.T, pub *eventtest.Publisher) []frame {
	t.Helper()
	var out []frame
	for _, call := range pub.Calls {
		for _, it := range call {
			out = append(out, mustFrame(t, string(it.Formats.WSMessage.Content)))
		}
	}
	return out
}
