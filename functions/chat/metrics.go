package main

// The chat's metrics, written through the edge's EMF writer (Handler.Metrics:
// namespace faas-grip, dimension FunctionName), in one line per
// WebSocket-over-HTTP request with something to count, none otherwise:
//   - ChatConnectionsOpened (Count): connections accepted (a refused
//     handshake is none);
//   - ChatConnectionsClosed (Count): connections that ended, by the
//     client's CLOSE or the proxy's DISCONNECT (the client went away); a
//     close the chat starts counts when the client's CLOSE answers it.
//     Opened minus closed over a period is the change in open connections;
//   - RateLimited (Count): messages the rate limit dropped;
//   - MessagesPublished (Count): messages broadcast to the room, taken by
//     at least one GRIP endpoint (the sender is asked to send the others
//     again: they count when they get through).

import (
	"context"

	"github.com/faas-grip/faas-grip-go/internal/emf"
	"github.com/faas-grip/faas-grip-go/internal/grip/ws"
)

const (
	metricOpened    = "ChatConnectionsOpened"
	metricClosed    = "ChatConnectionsClosed"
	metricLimited   = "RateLimited"
	metricPublished = "MessagesPublished"
)

// requestCounts is what one request did, for its metrics line.
type requestCounts struct {
	opened    bool
	limited   int
	published int
}

// emitMetrics writes the request's line, if it has anything to say. A line
// that cannot be written is logged, not fatal: the request was served.
func (h *Handler) emitMetrics(ctx context.Context, conn *ws.Context, c *requestCounts) {
	if h.Metrics == nil {
		return
	}
	var buf [4]emf.Metric
	metrics := buf[:0]
	for _, m := range [...]struct {
		name string
		n    int
	}{
		{metricOpened, boolCount(c.opened)},
		{metricClosed, boolCount(conn.IsClosing())},
		{metricLimited, c.limited},
		{metricPublished, c.published},
	} {
		if m.n > 0 {
			metrics = append(metrics, emf.Metric{Name: m.name, Unit: emf.Count, Value: float64(m.n)})
		}
	}
	if len(metrics) == 0 {
		return
	}
	if err := h.Metrics.Emit(nil, metrics...); err != nil {
		h.Logger.WarnContext(ctx, "metrics not written", "error", err)
	}
}

func boolCount(b bool) int {
	if b {
		return 1
	}
	return 0
}
