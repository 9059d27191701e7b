package main

// The publish function's metrics, written through the edge's EMF writer
// (Handler.Metrics: namespace faas-grip, dimension FunctionName) in one line
// per invocation that had valid messages to publish:
//   - MessagesPublished (Count): messages done in this invocation, accepted
//     by every endpoint (0 when all failed: SQS or the caller sends them
//     again, and they count when they get through);
//   - ItemsPerPublish (Count): one value per publish request, the number of
//     GRIP items it carried. A value per request rather than the
//     invocation's average, so that CloudWatch's Average is items per
//     request over all of them (an invocation of ten requests weighs ten
//     times one of a single request), its Maximum shows how near the
//     requests come to the size limit, and its SampleCount is the number of
//     publish requests that carried messages (the long-polls' release
//     checks, sent after them, are not counted);
//   - DeliveriesFailed (Count): deliveries that failed, a message to an
//     endpoint that did not accept it; in the invocation's line (all
//     endpoints, for an alarm) and by Endpoint, in one more line per such
//     endpoint (for the dashboard, which says where). Endpoint is the
//     endpoint's ID (grip.Publisher.EndpointIDs: "ep-" and a hash of its
//     control URI without credentials), never its URL; the "publish
//     failed" log line names the endpoint.

import (
	"context"
	"maps"
	"slices"

	"github.com/faas-grip/faas-grip-go/internal/emf"
	"github.com/faas-grip/faas-grip-go/internal/grip"
)

const (
	metricPublished = "MessagesPublished"
	metricItems     = "ItemsPerPublish"
	metricFailed    = "DeliveriesFailed"
)

// publishCounts is what one invocation's publish requests carried.
type publishCounts struct{ items []float64 }

// request counts one publish request of n items; nil counts nothing.
func (c *publishCounts) request(n int) {
	if c != nil {
		c.items = append(c.items, float64(n))
	}
}

// metered returns the handler one invocation publishes with: with metrics
// on, a copy of h that counts its own publish requests (h serves every
// invocation of the process), and the function that writes them once the
// batch is done.
func (h *Handler) metered(ctx context.Context, batch []pending) (*Handler, func(failed []pending)) {
	if h.Metrics == nil {
		return h, func([]pending) {}
	}
	m := *h
	m.counts = &publishCounts{}
	return &m, func(failed []pending) { m.emitMetrics(ctx, len(batch), failed) }
}

// emitMetrics writes the invocation's line, and one per endpoint that
// missed messages. A line that cannot be written is logged, not fatal: the
// messages went out.
func (h *Handler) emitMetrics(ctx context.Context, messages int, failed []pending) {
	missed, total := map[string]int{}, 0
	for _, p := range failed {
		ids, _ := grip.FailedEndpoints(p.err)
		for _, id := range ids {
			missed[id]++
			total++
		}
	}
	metrics := []emf.Metric{{Name: metricPublished, Unit: emf.Count, Value: float64(messages - len(failed))}}
	if total > 0 {
		metrics = append(metrics, emf.Metric{Name: metricFailed, Unit: emf.Count, Value: float64(total)})
	}
	items := h.counts.items
	for len(items) > 0 { // more than MaxValues requests (a refused batch sent one by one) take more lines
		n := min(len(items), emf.MaxValues)
		h.emit(ctx, nil, append(metrics, emf.Metric{Name: metricItems, Unit: emf.Count, Values: items[:n]})...)
		items, metrics = items[n:], nil
	}
	if metrics != nil { // no request was sent (the history failed): the counts alone
		h.emit(ctx, nil, metrics...)
	}
	for _, id := range slices.Sorted(maps.Keys(missed)) {
		h.emit(ctx, []emf.Dimension{{Name: "Endpoint", Value: id}}, emf.Metric{Name: metricFailed, Unit: emf.Count, Value: float64(missed[id])})
	}
}

func (h *Handler) emit(ctx context.Context, dims []emf.Dimension, metrics ...emf.Metric) {
	if err := h.Metrics.Emit(dims, metrics...); err != nil {
		h.Logger.WarnContext(ctx, "metrics not written", "error", err)
	}
}
