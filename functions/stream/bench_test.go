package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/faas-grip/faas-grip-go/internal/edge"
	"github.com/faas-grip/faas-grip-go/internal/history"
	"github.com/faas-grip/faas-grip-go/tools/eventtest"
)

var benchEvents = []string{"stream-plain.json", "stream-sse.json"}

// benchHandler is the stream as edge serves it (Grip-Sig check included).
func benchHandler(b *testing.B) *deployed {
	b.Helper()
	d := &deployed{}
	var err error
	d.Lambda, err = edge.NewHTTPHandler(b.Context(), func(k string) string {
		return map[string]string{"GRIP_URL": testGripURL}[k]
	}, slog.New(slog.NewJSONHandler(io.Discard, nil)), eventtest.Capture(setup, &d.Handle))
	if err != nil {
		b.Fatal(err)
	}
	return d
}

// BenchmarkInvoke is one invocation as the runtime makes it: event JSON in,
// response JSON out, through the edge (Grip-Sig checked).
func BenchmarkInvoke(b *testing.B) {
	for _, name := range benchEvents {
		b.Run("event="+strings.TrimSuffix(name, ".json"), func(b *testing.B) {
			invoker := benchHandler(b).Lambda
			event := eventtest.Load(b, name)
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

// BenchmarkHandle is the handler alone on the already converted request.
func BenchmarkHandle(b *testing.B) {
	for _, name := range benchEvents {
		b.Run("event="+strings.TrimSuffix(name, ".json"), func(b *testing.B) {
			h := benchHandler(b)
			req := eventtest.Request(b, eventtest.Load(b, name))
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				resp, err := h.Handle(ctx, req)
				if err != nil || resp.Status != 200 {
					b.Fatalf("response %v, err %v", resp, err)
				}
			}
		})
	}
}

// BenchmarkInvokeReplay is BenchmarkInvoke with a history (a directory, as
// the local stack keeps it) of 100 messages of 100 bytes on "news":
// replay=0 is a client at the newest (the hold after one read of the
// channel's head), replay=100 one that resumes from 0 and gets all 100
// before the hold (?last_id for plain, Last-Event-ID for SSE). make bench
// judges 100 over 0 per transport: the replay's own cost.
func BenchmarkInvokeReplay(b *testing.B) {
	for _, name := range benchEvents {
		for _, replay := range []int{0, 100} {
			b.Run(fmt.Sprintf("event=%s/replay=%d", strings.TrimSuffix(name, ".json"), replay), func(b *testing.B) {
				dir := b.TempDir()
				store, err := history.NewDirStore(dir)
				if err != nil {
					b.Fatal(err)
				}
				for i := 1; i <= 100; i++ {
					text := fmt.Sprintf("%-100s", fmt.Sprintf("headline %d", i))
					if _, err := store.Append(b.Context(), "news", []byte(text)); err != nil {
						b.Fatal(err)
					}
				}
				env := map[string]string{"GRIP_URL": testGripURL, history.EnvDir: dir}
				invoker, err := edge.NewHTTPHandler(b.Context(), func(k string) string { return env[k] },
					slog.New(slog.NewJSONHandler(io.Discard, nil)), setup)
				if err != nil {
					b.Fatal(err)
				}
				event, want := eventtest.Load(b, name), []byte("prev-id=100")
				if replay > 0 {
					event, want = resumingFrom0(b, event), []byte("headline 100 ")
				}
				ctx := context.Background()
				b.ReportAllocs()
				for b.Loop() {
					out, err := invoker.Invoke(ctx, event)
					if err != nil || !bytes.Contains(out, []byte(`"statusCode":200`)) || !bytes.Contains(out, want) {
						b.Fatalf("response %.300s, err %v", out, err)
					}
				}
			})
		}
	}
}

// resumingFrom0 makes an HTTP API stream event resume after id 0: with
// Last-Event-ID when it asks for SSE, as EventSource does, else ?last_id.
func resumingFrom0(b *testing.B, event []byte) []byte {
	var e map[string]any
	if err := json.Unmarshal(event, &e); err != nil {
		b.Fatal(err)
	}
	headers := e["headers"].(map[string]any)
	if strings.Contains(fmt.Sprint(headers["accept"]), "text/event-stream") {
		headers["last-event-id"] = "0"
	} else {
		e["rawQueryString"] = e["rawQueryString"].(string) + "&last_id=0"
		e["queryStringParameters"].(map[string]any)["last_id"] = "0"
	}
	out, err := json.Marshal(e)
	if err != nil {
		b.Fatal(err)
	}
	return out
}
