package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"testing"

	"github.com/faas-grip/faas-grip-go/internal/edge"
	"github.com/faas-grip/faas-grip-go/internal/history"
	"github.com/faas-grip/faas-grip-go/tools/eventtest"
)

var benchEvents = []string{"longpoll-fresh.json", "longpoll-resume.json"}

// benchHandler returns a handler without history ("none": the function's
// own cost) or with a directory store holding 3 messages on "news" ("dir":
// the local stack's store; deployed, DynamoDB answers instead).
func benchHandler(b *testing.B, store string) *deployed {
	b.Helper()
	env := map[string]string{"GRIP_URL": testGripURL}
	if store == "dir" {
		env[history.EnvDir] = b.TempDir()
		dir, err := history.NewDirStore(env[history.EnvDir])
		if err != nil {
			b.Fatal(err)
		}
		for i := 1; i <= 3; i++ {
			if _, err := dir.Append(b.Context(), "news", []byte("headline "+strconv.Itoa(i))); err != nil {
				b.Fatal(err)
			}
		}
	}
	d := &deployed{}
	var err error
	d.Lambda, err = edge.NewHTTPHandler(b.Context(), func(k string) string { return env[k] },
		slog.New(slog.NewJSONHandler(io.Discard, nil)), eventtest.Capture(setup, &d.Handle))
	if err != nil {
		b.Fatal(err)
	}
	return d
}

// BenchmarkInvoke is one invocation as the runtime makes it: event JSON in,
// response JSON out, through the edge (Grip-Sig checked).
func BenchmarkInvoke(b *testing.B) {
	for _, store := range []string{"none", "dir"} {
		for _, name := range benchEvents {
			b.Run("event="+strings.TrimSuffix(name, ".json")+"/history="+store, func(b *testing.B) {
				invoker := benchHandler(b, store).Lambda
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
}

// BenchmarkHandle is the handler alone on the already converted request.
func BenchmarkHandle(b *testing.B) {
	for _, store := range []string{"none", "dir"} {
		for _, name := range benchEvents {
			b.Run("event="+strings.TrimSuffix(name, ".json")+"/history="+store, func(b *testing.B) {
				h := benchHandler(b, store)
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
}

// BenchmarkReplay100 is a poll 100 messages behind, the whole invocation:
// the history read (feed.ReadReplay) and the 100 messages of its answer.
func BenchmarkReplay100(b *testing.B) {
	env := map[string]string{"GRIP_URL": testGripURL, history.EnvDir: b.TempDir()}
	dir, err := history.NewDirStore(env[history.EnvDir])
	if err != nil {
		b.Fatal(err)
	}
	for i := 1; i <= 100; i++ {
		if _, err := dir.Append(b.Context(), "news", []byte("headline "+strconv.Itoa(i))); err != nil {
			b.Fatal(err)
		}
	}
	invoker, err := edge.NewHTTPHandler(b.Context(), func(k string) string { return env[k] },
		slog.New(slog.NewJSONHandler(io.Discard, nil)), setup)
	if err != nil {
		b.Fatal(err)
	}
	var e map[string]any
	if err := json.Unmarshal(eventtest.Load(b, "longpoll-resume.json"), &e); err != nil {
		b.Fatal(err)
	}
	e["rawQueryString"] = "channel=news&last_id=0"
	e["queryStringParameters"] = map[string]string{"channel": "news", "last_id": "0"}
	event, err := json.Marshal(e)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	out, err := invoker.Invoke(ctx, event)
	if err != nil || !bytes.Contains(out, []byte(`headline 100`)) {
		b.Fatalf("response %.300s, err %v: want the 100 messages", out, err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := invoker.Invoke(ctx, event); err != nil {
			b.Fatal(err)
		}
	}
}
