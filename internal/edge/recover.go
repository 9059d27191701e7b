package edge

// A panic in a handler becomes a logged error and a clean answer instead of
// a crashed process (which the Lambda service would answer with a 502 and a
// cold start).

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"

	"github.com/faas-grip/faas-grip-go/internal/grip/apigw"
)

// errPanic is returned (wrapped) by an event handler that panicked.
var errPanic = errors.New("internal error: the handler panicked")

// recoverHTTP guards an HTTP handler: a panic is logged with its stack and answered
// with a 500 that reveals nothing of it.
func recoverHTTP(logger *slog.Logger, h apigw.Handler) apigw.Handler {
	return func(ctx context.Context, r *apigw.Request) (resp *apigw.Response, err error) {
		defer func() {
			if p := recover(); p != nil {
				logger.ErrorContext(ctx, "handler panicked", "request_id", r.RequestID, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
				resp, err = apigw.Error(http.StatusInternalServerError, "internal error"), nil
			}
		}()
		return h(ctx, r)
	}
}

// recoverEvent guards a raw event handler (SQS, direct invoke): a panic is logged and
// returned as an error, so the invoke fails cleanly and SQS retries the batch.
func recoverEvent(logger *slog.Logger, h func(context.Context, json.RawMessage) (any, error)) func(context.Context, json.RawMessage) (any, error) {
	return func(ctx context.Context, payload json.RawMessage) (out any, err error) {
		defer func() {
			if p := recover(); p != nil {
				logger.ErrorContext(ctx, "handler panicked", "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
				out, err = nil, errPanic
			}
		}()
		return h(ctx, payload)
	}
}
