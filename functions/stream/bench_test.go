package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/faas-grip/faas-grip-go/internal/edge"
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
