package main

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/faas-grip/faas-grip-go/internal/feed"
	"github.com/faas-grip/faas-grip-go/internal/grip"
	"github.com/faas-grip/faas-grip-go/internal/grip/apigw"
	"github.com/faas-grip/faas-grip-go/internal/history"
	"github.com/faas-grip/faas-grip-go/internal/lambdaenv"
)

// maxCatchUp bounds one catch-up answer; the client asks again with the new last_id.
const maxCatchUp = 100

// Handler answers GET /longpoll?channel=<name>[&last_id=<id>].
type Handler struct {
	Env            *lambdaenv.Env
	History        history.Store // nil: no resume, holds only
	DefaultChannel string
	Timeout        time.Duration // how long the proxy holds a request
	Logger         *slog.Logger
}

// Handle is the function's entry point, for every front door apigw.Adapt knows.
func (h *Handler) Handle(ctx context.Context, r *apigw.Request) (*apigw.Response, error) {
	log := h.Logger.With("request_id", r.RequestID)
	if r.Method != http.MethodGet {
		return apigw.Error(http.StatusMethodNotAllowed, "use GET /longpoll?channel=<name>&last_id=<id>"), nil
	}
	if refused := h.Env.Refuse(log, r.Header); refused != nil {
		return refused, nil
	}
	channel := r.Query.Get("channel")
	if channel == "" {
		channel = h.DefaultChannel
	}
	if err := grip.ValidChannel(channel); err != nil {
		log.Warn("bad channel", "channel_len", len(channel))
		return apigw.Error(http.StatusBadRequest, "channel must be 1-256 characters without spaces, control characters, ',' or ';'"), nil
	}
	lastID := r.Query.Get("last_id")
	if !validID(lastID) {
		return apigw.Error(http.StatusBadRequest, "last_id must be the decimal id of the last message you received"), nil
	}
	log = log.With("channel", channel, "last_id", lastID)

	if h.History != nil {
		if lastID != "" {
			// A client that is behind (it says so, or the proxy's Grip-Last does)
			// gets what it missed now instead of waiting for the next publish.
			missed, err := h.History.Since(ctx, channel, lastID, maxCatchUp)
			if err != nil && !errors.Is(err, history.ErrGap) {
				log.Error("history read failed", "error", err)
				return apigw.Error(http.StatusServiceUnavailable, "cannot read the channel history, try again"), nil
			}
			if len(missed) > 0 {
				log.Info("caught up", "messages", len(missed), "gap", err != nil)
				return pollResponse(channel, missed, err != nil), nil
			}
		} else {
			head, err := h.History.Last(ctx, channel)
			if err != nil {
				log.Error("history read failed", "error", err)
				return apigw.Error(http.StatusServiceUnavailable, "cannot read the channel history, try again"), nil
			}
			lastID = head
		}
	}

	resp := &apigw.Response{
		Status: http.StatusOK,
		Header: http.Header{"Content-Type": {"application/json"}, "Cache-Control": {"no-cache"}},
		// Sent by the proxy when the hold times out: nothing new, same last_id.
		Body: feed.PollBody(feed.Poll{Channel: channel, LastID: lastID}),
	}
	hold := grip.Hold{
		Mode:     grip.HoldResponse,
		Channels: []grip.Channel{{Name: channel, PrevID: lastID}},
		Timeout:  h.Timeout,
	}
	if err := hold.Apply(resp.Header, h.Env.Grip.Prefix); err != nil {
		log.Error("cannot build hold instructions", "error", err)
		return apigw.Error(http.StatusInternalServerError, "cannot hold the request"), nil
	}
	log.Info("request held")
	return resp, nil
}

func pollResponse(channel string, entries []history.Entry, gap bool) *apigw.Response {
	p := feed.Poll{Channel: channel, Messages: make([]feed.Message, len(entries)), Gap: gap}
	for i, e := range entries {
		p.Messages[i] = feed.Message{ID: e.ID, Text: string(e.Data)}
	}
	p.LastID = entries[len(entries)-1].ID
	return &apigw.Response{
		Status: http.StatusOK,
		Header: http.Header{"Content-Type": {"application/json"}, "Cache-Control": {"no-cache"}},
		Body:   feed.PollBody(p),
	}
}

// validID accepts "" or a decimal sequence number.
func validID(id string) bool {
	if len(id) > 20 {
		return false
	}
	for _, c := range []byte(id) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
