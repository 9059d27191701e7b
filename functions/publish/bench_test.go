package main

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/faas-grip/faas-grip-go/internal/grip"
	"github.com/faas-grip/faas-grip-go/tools/eventtest"
)

// nopPublisher drops every publish: the benchmarks measure the function, not
// the network, and a recording publisher would grow with b.N.
type nopPublisher struct{}

func (nopPublisher) Publish(context.Context, ...grip.Item) error { return nil }

var benchEvents = []string{"publish-direct.json", "publish-formats.json", "publish-sqs.json"}

// benchHandler has no history: items go out without ids, and the store's
// I/O (a file or DynamoDB) stays out of the function's own cost.
func benchHandler() *Handler {
	return &Handler{Publisher: nopPublisher{}, Logger: slog.New(slog.NewJSONHandler(io.Discard, nil))}
}

// BenchmarkInvoke is one invocation as the runtime makes it: event JSON in,
// response JSON out.
func BenchmarkInvoke(b *testing.B) {
	for _, name := range benchEvents {
		b.Run("event="+strings.TrimSuffix(name, ".json"), func(b *testing.B) {
			invoker := lambda.NewHandler(benchHandler().Handle)
			event := eventtest.Load(b, name)
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := invoker.Invoke(ctx, event); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkHandle is the handler alone, on the event's bytes.
func BenchmarkHandle(b *testing.B) {
	for _, name := range benchEvents {
		b.Run("event="+strings.TrimSuffix(name, ".json"), func(b *testing.B) {
			h := benchHandler()
			event := eventtest.Load(b, name)
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := h.Handle(ctx, event); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
