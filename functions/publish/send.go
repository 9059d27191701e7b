package main

import (
	"context"
	"errors"
	"net/http"
	"slices"

	"github.com/faas-grip/faas-grip-go/internal/grip"
)

// publish numbers the text messages in the channel history, then sends the
// items of the batch in as few publish requests as fit, in order. It
// returns the messages that failed.
//
// With several endpoints, a message some of them accepted is recorded as
// delivered to those, and its next delivery is sent to the others only.
func (h *Handler) publish(invocation context.Context, batch []pending) (failed []pending) {
	if len(batch) == 0 {
		return nil
	}
	h, emitMetrics := h.metered(invocation, batch)
	defer func() { emitMetrics(failed) }()
	ctx, cancel := beforeDeadline(invocation)
	defer cancel()
	h.assignIDs(ctx, batch)
	if d := h.deliveries(); d != nil {
		h.loadDelivered(ctx, d, batch)
		// Recorded with the invocation's context: the margin before its
		// deadline is left for this when publishing used up the rest.
		defer func() { h.saveDelivered(invocation, d, batch, failed) }()
	}
	var ready []pending
	for _, p := range batch {
		if p.err != nil {
			failed = append(failed, p)
			continue
		}
		ready = append(ready, p)
	}
	for _, req := range requests(ready) {
		failed = append(failed, h.send(ctx, req)...)
	}
	h.sendReleaseChecks(ctx, batch)
	return failed
}

// requests groups messages into publish requests whose items encode to at
// most maxItemsBytes, keeping each message's items together: one request
// when the batch fits.
func requests(batch []pending) [][]pending {
	var reqs [][]pending
	var req []pending
	size := 0
	for _, p := range batch {
		if len(req) > 0 && size+p.size > maxItemsBytes {
			reqs = append(reqs, req)
			req, size = nil, 0
		}
		req = append(req, p)
		size += p.size
	}
	if len(req) > 0 {
		reqs = append(reqs, req)
	}
	return reqs
}

// send publishes the messages of one request and returns those that failed.
// Messages that already reached some endpoints go, in runs, to the others
// only. When the proxy refuses a request of several messages for what it
// holds, they are sent one by one, so that only the message at fault fails.
func (h *Handler) send(ctx context.Context, req []pending) (failed []pending) {
	for _, run := range sameDelivered(req) {
		failed = append(failed, h.sendRun(ctx, run)...)
	}
	return failed
}

// sameDelivered splits req into runs of consecutive messages delivered to
// the same endpoints (usually one run: none), keeping their order.
func sameDelivered(req []pending) [][]pending {
	var runs [][]pending
	start := 0
	for i := 1; i <= len(req); i++ {
		if i == len(req) || !slices.Equal(req[i].delivered, req[start].delivered) {
			runs = append(runs, req[start:i])
			start = i
		}
	}
	return runs
}

// sendRun publishes messages delivered to the same endpoints, to the others.
func (h *Handler) sendRun(ctx context.Context, req []pending) (failed []pending) {
	var items []grip.Item
	for _, p := range req {
		items = append(items, p.items...)
	}
	skip := req[0].delivered
	h.counts.request(len(items))
	ep, perEndpoint := h.Publisher.(endpointPublisher)
	var err error
	if perEndpoint {
		err = ep.PublishExcept(ctx, skip, items...)
	} else {
		err = h.Publisher.Publish(ctx, items...)
	}
	if err == nil {
		return nil
	}
	if perEndpoint {
		accepted := acceptedBy(ep, skip, err)
		for i := range req {
			req[i].delivered = mergeIDs(slices.Clone(req[i].delivered), accepted...)
		}
	}
	if len(req) > 1 && refused(err) {
		h.Logger.WarnContext(ctx, "publish refused, sending its messages one by one", "messages", len(req), "error", err)
		for _, p := range req {
			failed = append(failed, h.send(ctx, []pending{p})...)
		}
		return failed
	}
	for _, p := range req {
		p.err = err
		failed = append(failed, p)
	}
	return failed
}

// refused reports an error that may be about the request's content: a 4xx
// such as 400 Bad Request or 413 Content Too Large (not one about
// credentials, the URL or the rate, which every message would get again),
// or an item the library would not encode.
func refused(err error) bool {
	// An item the library refused to encode (a channel too long with the
	// prefix, say) fails the request before it is sent: only its message is
	// at fault.
	var ie *grip.ItemError
	if errors.As(err, &ie) {
		return true
	}
	var pe *grip.PublishError
	if !errors.As(err, &pe) || pe.Status < 400 || pe.Status > 499 {
		return false
	}
	switch pe.Status {
	case http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound, http.StatusTooManyRequests:
		return false
	}
	return true
}
