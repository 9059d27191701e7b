package edge

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/faas-grip/faas-grip-go/internal/grip/apigw"
)

func TestHTTPRecovers(t *testing.T) {
	var logs bytes.Buffer
	h := recoverHTTP(slog.New(slog.NewJSONHandler(&logs, nil)), func(context.Context, *apigw.Request) (*apigw.Response, error) {
		requests := map[string]*apigw.Request{}
		return apigw.Text(200, "", requests["missing"].Method), nil // a real nil-pointer panic
	})
	resp, err := h(t.Context(), &apigw.Request{RequestID: "req-1"})
	if err != nil || resp.Status != 500 || strings.Contains(string(resp.Body), "nil pointer") {
		t.Fatalf("got %+v, %v: want a bare 500", resp, err)
	}
	if !strings.Contains(logs.String(), "handler panicked") || !strings.Contains(logs.String(), "req-1") || !strings.Contains(logs.String(), "nil pointer") {
		t.Errorf("log lacks the panic: %s", logs.String())
	}
}

func TestHTTPPassesThrough(t *testing.T) {
	h := recoverHTTP(slog.Default(), func(context.Context, *apigw.Request) (*apigw.Response, error) {
		return apigw.Text(201, "", "ok"), nil
	})
	if resp, err := h(t.Context(), &apigw.Request{}); err != nil || resp.Status != 201 {
		t.Errorf("got %+v, %v", resp, err)
	}
}

func TestEventRecovers(t *testing.T) {
	var logs bytes.Buffer
	h := recoverEvent(slog.New(slog.NewJSONHandler(&logs, nil)), func(context.Context, json.RawMessage) (any, error) {
		panic("bad state")
	})
	out, err := h(t.Context(), json.RawMessage(`{}`))
	if out != nil || !errors.Is(err, errPanic) || strings.Contains(err.Error(), "bad state") {
		t.Fatalf("got %v, %v", out, err)
	}
	if !strings.Contains(logs.String(), "bad state") {
		t.Errorf("log lacks the panic: %s", logs.String())
	}
	ok := recoverEvent(slog.Default(), func(context.Context, json.RawMessage) (any, error) { return 1, nil })
	if out, err := ok(t.Context(), nil); out != 1 || err != nil {
		t.Errorf("got %v, %v", out, err)
	}
}
