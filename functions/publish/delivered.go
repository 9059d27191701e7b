package main

import (
	"context"
	"fmt"
	"slices"

	"github.com/faas-grip/faas-grip-go/internal/grip"
	"github.com/faas-grip/faas-grip-go/internal/history"
)

// endpointPublisher is a Publisher that tells its endpoints apart, as
// *grip.Publisher does: with it a message some endpoints accepted is
// published again to the others only.
type endpointPublisher interface {
	EndpointIDs() []string
	PublishExcept(ctx context.Context, skip []string, items ...grip.Item) error
}

// deliveryKey names the message for the delivery records as historyKey
// names it for the history: the sender's idempotency key first (the same
// message sent twice, through SQS or a direct invoke, is one message), else
// its SQS message id (the same on every delivery), else nothing.
func (p pending) deliveryKey() string {
	switch {
	case p.msg.IdempotencyKey != "":
		return fmt.Sprintf("key:%d:%s:%s", len(p.msg.Channel), p.msg.Channel, p.msg.IdempotencyKey)
	case p.recordID != "":
		return "sqs:" + p.recordID
	}
	return ""
}

// deliveries returns where to record deliveries, or nil when there is no
// need: with a single endpoint a failed message is simply published again.
func (h *Handler) deliveries() history.Deliveries {
	ep, ok := h.Publisher.(endpointPublisher)
	if !ok || len(ep.EndpointIDs()) < 2 {
		return nil
	}
	if h.Deliveries != nil {
		return h.Deliveries
	}
	d, _ := h.History.(history.Deliveries)
	return d
}

// endpointIDs returns the publisher's endpoints, if it tells them apart.
func (h *Handler) endpointIDs() []string {
	if ep, ok := h.Publisher.(endpointPublisher); ok {
		return ep.EndpointIDs()
	}
	return nil
}

// loadDelivered sets, on each message, the endpoints that accepted it in an
// earlier delivery. When the records cannot be read the messages go to
// every endpoint, as they would without records: a duplicate beats a loss.
func (h *Handler) loadDelivered(ctx context.Context, d history.Deliveries, batch []pending) {
	var keys []string
	for _, p := range batch {
		if k := p.deliveryKey(); k != "" && p.err == nil {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return
	}
	got, err := d.Delivered(ctx, keys...)
	if err != nil {
		h.Logger.WarnContext(ctx, "delivery records unreadable: publishing to every endpoint", "error", err)
		return
	}
	for i := range batch {
		if ids, ok := got[batch[i].deliveryKey()]; ok && batch[i].err == nil {
			batch[i].delivered = ids
			h.Logger.InfoContext(ctx, "redelivery: skipping endpoints that accepted it", "message_id", batch[i].recordID, "endpoints", ids)
		}
	}
}

// saveDelivered records the endpoints that accepted the failed messages,
// for their next delivery, and completes the records of redelivered
// messages that now reached every endpoint, so that one more delivery
// (SQS delivers at least once) publishes nothing.
func (h *Handler) saveDelivered(ctx context.Context, d history.Deliveries, batch, failed []pending) {
	marks := map[string][]string{}
	for _, p := range batch {
		if k := p.deliveryKey(); k != "" && p.err == nil && len(p.delivered) > 0 {
			marks[k] = h.endpointIDs()
		}
	}
	for _, p := range failed {
		k := p.deliveryKey()
		delete(marks, k)
		if k != "" && len(p.delivered) > 0 {
			marks[k] = p.delivered
		}
	}
	if len(marks) == 0 {
		return
	}
	if err := d.MarkDelivered(ctx, marks); err != nil {
		h.Logger.ErrorContext(ctx, "delivery records not written: a redelivery will reach every endpoint again", "messages", len(marks), "error", err)
	}
}

// acceptedBy returns the endpoints that accepted a publish that returned
// err, having skipped skip: all but the skipped and the failed ones, or
// none when the error does not say which failed.
func acceptedBy(ep endpointPublisher, skip []string, err error) []string {
	failed, known := grip.FailedEndpoints(err)
	if !known {
		return nil
	}
	var ids []string
	for _, id := range ep.EndpointIDs() {
		if !slices.Contains(skip, id) && !slices.Contains(failed, id) {
			ids = append(ids, id)
		}
	}
	return ids
}

// mergeIDs adds ids to have, without repeats.
func mergeIDs(have []string, ids ...string) []string {
	for _, id := range ids {
		if !slices.Contains(have, id) {
			have = append(have, id)
		}
	}
	return have
}
