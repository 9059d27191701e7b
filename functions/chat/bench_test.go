package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/faas-grip/faas-grip-go/internal/edge"
	"github.com/faas-grip/faas-grip-go/internal/grip"
	"github.com/faas-grip/faas-grip-go/internal/grip/apigw"
	"github.com/faas-grip/faas-grip-go/internal/grip/woh"
	"github.com/faas-grip/faas-grip-go/tools/eventtest"
)

// nopPublisher drops every publish: the benchmarks measure the function, not
// the network, and a recording publisher would grow with b.N.
type nopPublisher struct{}

func (nopPublisher) Publish(context.Context, ...grip.Item) error { return nil }

func (nopPublisher) PublishExcept(context.Context, []string, ...grip.Item) error { return nil }

// benchEvents are the sample events a chat function sees most, plus a
// 100-message batch made from chat-message.json.
var benchEvents = []string{
	"chat-message.json", "chat-batch.json", "chat-open.json", "chat-page.json",
	"chat-message-restapi.json", "chat-message-function-url.json", "chat-message-100",
}

// benchHandler is the chat as edge serves it (Grip-Sig check included).
func benchHandler(b *testing.B) *deployed {
	return benchHandlerWith(b, map[string]string{"GRIP_URL": testGripURL})
}

func benchHandlerWith(b *testing.B, vars map[string]string) *deployed {
	b.Helper()
	d := &deployed{}
	var err error
	d.Lambda, err = edge.NewHTTPHandler(b.Context(), func(k string) string { return vars[k] }, slog.New(slog.NewJSONHandler(io.Discard, nil)), func(_ context.Context, cold edge.ColdStart) (apigw.Handler, error) {
		// A burst of 100 lets chat-message-100 broadcast all its messages, as
		// before the rate limit: the benchmark measures the work, not the limit.
		d.Handler = &Handler{Grip: cold.Grip, Publisher: nopPublisher{}, Channel: "chat", Tokens: cold.Tokens,
			Logger: cold.Logger, Limits: Limits{Burst: 100}}
		return d.Handler.Handle, nil
	}, pageIsPublic)
	if err != nil {
		b.Fatal(err)
	}
	return d
}

// benchEvent loads a sample event; "chat-message-100" is chat-message.json
// carrying 100 TEXT messages in one request.
func benchEvent(b *testing.B, name string) []byte {
	b.Helper()
	if name != "chat-message-100" {
		return eventtest.Load(b, name)
	}
	var e map[string]any
	if err := json.Unmarshal(eventtest.Load(b, "chat-message.json"), &e); err != nil {
		b.Fatal(err)
	}
	one := woh.Encode(woh.Event{Type: woh.Text, Content: []byte("hello")})
	e["body"] = base64.StdEncoding.EncodeToString([]byte(strings.Repeat(string(one), 100)))
	raw, err := json.Marshal(e)
	if err != nil {
		b.Fatal(err)
	}
	return raw
}

// BenchmarkInvoke is one invocation as the runtime makes it: event JSON in,
// response JSON out, through the edge (Grip-Sig checked).
func BenchmarkInvoke(b *testing.B) {
	for _, name := range benchEvents {
		b.Run("event="+strings.TrimSuffix(name, ".json"), func(b *testing.B) {
			invoker := benchHandler(b).Lambda
			event := benchEvent(b, name)
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				out, err := invoker.Invoke(ctx, event)
				if err != nil || !bytes.Contains(out, []byte(`"statusCode":200`)) {
					b.Fatalf("response %.200s, err %v", out, err)
				}
			}
		})
	}
}

// BenchmarkHandle is the handler alone on the already converted request:
// WebSocket-over-HTTP decode, chat logic and response.
func BenchmarkHandle(b *testing.B) {
	for _, name := range benchEvents {
		if strings.Contains(name, "restapi") || strings.Contains(name, "function-url") {
			continue // same request as chat-message once converted
		}
		b.Run("event="+strings.TrimSuffix(name, ".json"), func(b *testing.B) {
			h := benchHandler(b)
			req := eventtest.Request(b, benchEvent(b, name))
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				resp, err := h.Handler.Handle(ctx, req)
				if err != nil || resp.Status != 200 {
					b.Fatalf("status %v, err %v", resp, err)
				}
			}
		})
	}
}

// BenchmarkHandleTokens is what client tokens cost the chat: OPEN verifies
// the token (HS256 here; see internal/clienttoken's benchmarks for RS256
// and ES256), a message reads the user bound at OPEN.
func BenchmarkHandleTokens(b *testing.B) {
	token := mint(b, tokenSecret, "u-1", "Alice", time.Now(), "chat")
	h := benchHandlerWith(b, tokenEnv())
	resp, err := h.Handler.Handle(b.Context(), withBearer(openRequest(b), token))
	if err != nil || resp.Status != 200 {
		b.Fatalf("OPEN: %v %v", resp, err)
	}
	bound := boundMeta(resp)
	for _, bc := range []struct {
		name string
		req  *apigw.Request
	}{
		{"open", withBearer(openRequest(b), token)},
		{"message", withBearer(wohRequest(b, bound, "hello"), token)},
		{"message-tokens-off", wohRequest(b, nil, "hello")},
	} {
		b.Run(bc.name, func(b *testing.B) {
			h := h
			if bc.name == "message-tokens-off" {
				h = benchHandler(b)
			}
			b.ReportAllocs()
			for b.Loop() {
				if resp, err := h.Handler.Handle(b.Context(), bc.req); err != nil || resp.Status != 200 {
					b.Fatalf("status %v, err %v", resp, err)
				}
			}
		})
	}
}
