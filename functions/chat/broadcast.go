package main

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/faas-grip/faas-grip-go/internal/grip"
)

// retryBudget bounds the one more try to the endpoints that missed a
// broadcast; with publishBudget it stays far inside the function's timeout.
const retryBudget = time.Second

// broadcast publishes a request's messages to the room, bounded by
// publishBudget. With several GRIP endpoints some may accept them while
// another fails: the clients of the first already have the messages, so
// asking the sender to send again would show them twice. Those get one more
// try to the endpoints that missed them instead, and the sender is asked to
// resend only when no endpoint took the messages.
func (h *Handler) broadcast(ctx context.Context, log *slog.Logger, items []grip.Item) (resend bool) {
	pctx, cancel := context.WithTimeout(ctx, publishBudget)
	defer cancel()
	err := h.Publisher.Publish(pctx, items...)
	var partial *grip.DeliveryError
	if errors.As(err, &partial) && len(partial.Delivered) > 0 {
		log.WarnContext(ctx, "publish reached some endpoints; retrying the others", "messages", len(items), "error", err)
		// A budget of its own: an endpoint that hung used up the first.
		rctx, cancel := context.WithTimeout(ctx, retryBudget)
		defer cancel()
		err = h.Publisher.PublishExcept(rctx, partial.Delivered, items...)
		if err != nil {
			log.ErrorContext(ctx, "publish failed at some endpoints; their clients miss these messages", "messages", len(items), "error", err)
		}
		return false
	}
	if err != nil {
		log.ErrorContext(ctx, "publish failed", "messages", len(items), "error", err)
		return true
	}
	return false
}
