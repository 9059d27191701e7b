package main

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/faas-grip/faas-grip-go/internal/clienttoken"
	"github.com/faas-grip/faas-grip-go/internal/feed"
	"github.com/faas-grip/faas-grip-go/internal/grip"
	"github.com/faas-grip/faas-grip-go/internal/grip/apigw"
)

// keepAliveEvery keeps idle streams (and the load balancers on their path) alive.
const keepAliveEvery = 20 * time.Second

// Handler answers GET /stream?channel=<name>.
type Handler struct {
	Grip           grip.Config // the channel prefix
	DefaultChannel string
	Tokens         *clienttoken.Verifier // nil: public, any channel
	Logger         *slog.Logger
}

// Handle answers one request; the edge has checked its Grip-Sig.
func (h *Handler) Handle(ctx context.Context, r *apigw.Request) (*apigw.Response, error) {
	log := h.Logger.With("request_id", r.RequestID)
	if r.Method != http.MethodGet {
		return apigw.Error(http.StatusMethodNotAllowed, "use GET /stream?channel=<name>"), nil
	}
	channel, refused := feed.RequestedChannel(ctx, r, h.Grip, h.DefaultChannel, h.Tokens, log)
	if refused != nil {
		return refused, nil
	}

	resp := &apigw.Response{Status: http.StatusOK}
	hold := grip.Hold{Mode: grip.HoldStream}
	if acceptsSSE(r.Header) {
		resp.Header = feed.ResponseHeader("text/event-stream")
		resp.Body = feed.SSEEvent("", "open", "streaming "+channel)
		hold.Channels = []grip.Channel{{Name: feed.SSEChannel(channel)}}
		hold.KeepAlive = &grip.KeepAlive{Data: []byte(":\n\n"), Timeout: keepAliveEvery}
	} else {
		resp.Header = feed.ResponseHeader("text/plain; charset=utf-8")
		resp.Body = []byte("streaming " + channel + "\n")
		hold.Channels = []grip.Channel{{Name: channel}}
		hold.KeepAlive = &grip.KeepAlive{Data: []byte("\n"), Timeout: keepAliveEvery}
	}
	if err := hold.Apply(resp.Header, h.Grip); err != nil {
		log.ErrorContext(ctx, "cannot build hold instructions", "error", err)
		return apigw.Error(http.StatusInternalServerError, "cannot hold the stream"), nil
	}
	log.InfoContext(ctx, "stream held", "channel", channel, "sse", hold.Channels[0].Name != channel)
	return resp, nil
}

func acceptsSSE(h http.Header) bool {
	for _, v := range h.Values("Accept") {
		if strings.Contains(v, "text/event-stream") {
			return true
		}
	}
	return false
}
