package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/faas-grip/faas-grip-go/tools/eventtest"
)

// BenchmarkInvoke is the floor of make bench's per-invocation figures: an
// empty function through the runtime's JSON path (the same
// lambda.NewHandler(h).Invoke the functions' BenchmarkInvoke use) on the
// chat's sample event.
func BenchmarkInvoke(b *testing.B) {
	if _, err := os.Stat(filepath.Join(eventtest.Dir(), "chat-message.json")); err != nil {
		b.Skip("ChatFunction is not in template.yaml: the floor runs on its sample event")
	}
	b.Run("event=chat-message", func(b *testing.B) {
		invoker := lambda.NewHandler(func(_ context.Context, event json.RawMessage) (json.RawMessage, error) {
			return event, nil
		})
		event := eventtest.Load(b, "chat-message.json")
		ctx := context.Background()
		b.ReportAllocs()
		for b.Loop() {
			out, err := invoker.Invoke(ctx, event)
			if err != nil || !bytes.HasPrefix(out, []byte("{")) {
				b.Fatalf("response %.200s, err %v", out, err)
			}
		}
	})
}
