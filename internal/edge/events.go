package edge

import (
	"context"
	"encoding/json"
	"log/slog"

	"github.com/faas-grip/faas-grip-go/internal/emf"
)

// EventHandler handles one raw event (an SQS batch, a direct invoke's
// payload) and returns the invoke's answer.
type EventHandler func(ctx context.Context, payload json.RawMessage) (any, error)

// NewEventHandler is ServeEvents without the Lambda runtime: the function as
// deployed (the handler under panic recovery), for tests and benchmarks.
//
// It builds no Grip-Sig verifier: an event function's binary then links
// none of the JWT code.
func NewEventHandler(ctx context.Context, getenv func(string) string, logger *slog.Logger, setup func(context.Context, ColdStart) (EventHandler, error)) (EventHandler, error) {
	return newEventHandler(ctx, getenv, logger, nil, setup)
}

// newEventHandler is NewEventHandler handing metrics to the setup.
func newEventHandler(ctx context.Context, getenv func(string) string, logger *slog.Logger, metrics *emf.Writer, setup func(context.Context, ColdStart) (EventHandler, error)) (EventHandler, error) {
	cold, err := load(ctx, getenv, logger, nil)
	if err != nil {
		return nil, err
	}
	cold.Metrics = metrics
	h, err := setup(ctx, cold)
	if err != nil {
		return nil, err
	}
	if h == nil {
		return nil, errNoHandler
	}
	return recoverEvent(logger, h), nil
}
