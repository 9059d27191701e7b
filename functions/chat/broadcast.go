package main

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/faas-grip/faas-grip-go/internal/feed"
	"github.com/faas-grip/faas-grip-go/internal/grip"
	"github.com/faas-grip/faas-grip-go/internal/grip/ws"
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

// historyBudget bounds one history read or append, so that a slow store
// costs the client a notice, not the invocation.
const historyBudget = 2 * time.Second

const resendText = "your message could not be delivered, please send it again"

// deliver numbers a request's messages in the history (when on) and
// broadcasts them in one publish: the proxy fans it out to every subscriber.
func (h *Handler) deliver(ctx context.Context, conn *ws.Context, log *slog.Logger, msgs []outgoing) (published int) {
	items, err := h.number(ctx, msgs)
	if err != nil {
		// Not numbered, not sent: nobody has it, so sending again is safe.
		log.ErrorContext(ctx, "history append failed; nothing broadcast", "messages", len(msgs), "error", err)
		conn.Send(noticeFrame(noticeNotDelivered, resendText))
		return 0
	}
	if !h.broadcast(ctx, log, items) {
		return len(items)
	}
	if h.History == nil {
		conn.Send(noticeFrame(noticeNotDelivered, resendText))
		return 0
	}
	// Kept under their ids: sending them again would number them twice.
	// The sender sees them now; the others get them from the history when
	// they resume or a later message shows them the hole.
	for _, it := range items {
		conn.Send(string(it.Formats.WSMessage.Content))
	}
	conn.Send(noticeFrame(noticeDelayed, "your message is kept, but the chat could not send it to the others now: they get it when they reconnect"))
	return 0
}

// number makes the broadcast items of msgs, with their ids in the history
// when it is on.
func (h *Handler) number(ctx context.Context, msgs []outgoing) ([]grip.Item, error) {
	items := make([]grip.Item, len(msgs))
	if h.History == nil {
		for i, m := range msgs {
			items[i] = messageItem(h.Channel, "", "", m.from, m.text)
		}
		return items, nil
	}
	data := make([][]byte, len(msgs))
	for i, m := range msgs {
		data[i] = feed.ChatEntryData(m.from, m.text)
	}
	hctx, cancel := context.WithTimeout(ctx, historyBudget)
	defer cancel()
	entries, err := h.History.Append(hctx, h.Channel, data...)
	if err == nil && len(entries) != len(msgs) {
		err = errors.New("the history returned a different number of entries")
	}
	if err != nil {
		return nil, err
	}
	for i, m := range msgs {
		items[i] = messageItem(h.Channel, entries[i].ID, entries[i].PrevID, m.from, m.text)
	}
	return items, nil
}
