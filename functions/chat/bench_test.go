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
	"github.com/faas-grip/faas-grip-go/internal/feed"
	"github.com/faas-grip/faas-grip-go/internal/grip"
	"github.com/faas-grip/faas-grip-go/internal/grip/apigw"
	"github.com/faas-grip/faas-grip-go/internal/grip/woh"
	"github.com/faas-grip/faas-grip-go/internal/history"
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

// benchHistoryHandler is benchHandler with history on, in a DirStore of its
// own (the local store: the code path of numbering and replaying, not a
// DynamoDB round trip), holding n messages.
func benchHistoryHandler(b *testing.B, n int) *deployed {
	b.Helper()
	store, err := history.NewDirStore(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	if n > 0 {
		data := make([][]byte, n)
		for i := range data {
			data[i] = feed.ChatEntryData("alice", "a message of an ordinary length, about sixty bytes")
		}
		if _, err := store.Append(b.Context(), "chat", data...); err != nil {
			b.Fatal(err)
		}
	}
	h := benchHandler(b)
	h.History = store
	return h
}

// BenchmarkInvokeHistory is the chat's whole invocation on one message with
// history off and on: on, the message is numbered (an append) before it is
// published. The cases alternate within each round.
func BenchmarkInvokeHistory(b *testing.B) {
	event := benchEvent(b, "chat-message.json")
	for _, on := range []bool{false, true} {
		name := "event=chat-message/history=off"
		h := benchHandler(b)
		if on {
			name = "event=chat-message/history=on"
			h = benchHistoryHandler(b, 0)
		}
		b.Run(name, func(b *testing.B) {
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				out, err := h.Lambda.Invoke(ctx, event)
				if err != nil || !bytes.Contains(out, []byte(`"statusCode":200`)) {
					b.Fatalf("response %.200s, err %v", out, err)
				}
			}
		})
	}
}

// BenchmarkReplay100 is an OPEN that resumes 100 messages behind: the
// whole invocation, with the history read and the 100 frames.
func BenchmarkReplay100(b *testing.B) {
	h := benchHistoryHandler(b, 100)
	var e map[string]any
	if err := json.Unmarshal(eventtest.Load(b, "chat-open.json"), &e); err != nil {
		b.Fatal(err)
	}
	e["rawQueryString"] = "last_id=0"
	e["queryStringParameters"] = map[string]string{"last_id": "0"}
	event, err := json.Marshal(e)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	out, err := h.Lambda.Invoke(ctx, event)
	if err != nil || !bytes.Contains(out, []byte(`"statusCode":200`)) {
		b.Fatalf("response %.200s, err %v", out, err)
	}
	var resp struct{ Body string }
	_ = json.Unmarshal(out, &resp)
	body, _ := base64.StdEncoding.DecodeString(resp.Body)
	if got := bytes.Count(body, []byte(`"type":"message"`)); got != 100 {
		b.Fatalf("the OPEN replayed %d messages, want 100", got)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := h.Lambda.Invoke(ctx, event); err != nil {
			b.Fatal(err)
		}
	}
}
