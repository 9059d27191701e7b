package main

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/faas-grip/faas-grip-go/internal/clienttoken"
	"github.com/faas-grip/faas-grip-go/internal/feed"
	"github.com/faas-grip/faas-grip-go/internal/grip"
	"github.com/faas-grip/faas-grip-go/internal/grip/apigw"
	"github.com/faas-grip/faas-grip-go/internal/history"
)

// Handler answers GET /longpoll?channel=<name>[&last_id=<id>].
type Handler struct {
	Grip           grip.Config   // the channel prefix
	History        history.Store // nil: no resume, holds only
	DefaultChannel string
	Tokens         *clienttoken.Verifier // nil: public, any channel
	Timeout        time.Duration         // how long the proxy holds a request
	Logger         *slog.Logger
}

// Handle answers one request; the edge has checked its Grip-Sig.
func (h *Handler) Handle(ctx context.Context, r *apigw.Request) (*apigw.Response, error) {
	log := h.Logger.With("request_id", r.RequestID)
	if r.Method != http.MethodGet {
		return apigw.Error(http.StatusMethodNotAllowed, "use GET /longpoll?channel=<name>&last_id=<id>"), nil
	}
	channel, refused := feed.RequestedChannel(ctx, r, h.Grip, h.DefaultChannel, h.Tokens, log)
	if refused != nil {
		return refused, nil
	}
	lastID, ok := resumeID(r, h.Grip.Channel(channel))
	if !ok {
		return apigw.Error(http.StatusBadRequest, "last_id must be the decimal id of the last message you received"), nil
	}
	log = log.With("channel", channel, "last_id", lastID)

	if h.History != nil {
		// A client that is behind (it says so, or the proxy's Grip-Last
		// does) gets what it missed now instead of waiting for a publish.
		replay, err := feed.ReadReplay(ctx, h.History, channel, lastID)
		if err != nil {
			log.ErrorContext(ctx, "history read failed", "error", err)
			return apigw.Error(http.StatusServiceUnavailable, "cannot read the channel history, try again"), nil
		}
		if len(replay.Entries) > 0 || replay.Gap {
			log.InfoContext(ctx, "caught up", "messages", len(replay.Entries), "gap", replay.Gap)
			return pollResponse(channel, replay), nil
		}
		lastID = replay.Through
	}

	resp := &apigw.Response{
		Status: http.StatusOK,
		Header: feed.ResponseHeader("application/json"),
		// Sent by the proxy when the hold times out: nothing new, same last_id.
		Body: feed.PollBody(feed.Poll{Channel: channel, LastID: lastID}),
	}
	hold := grip.Hold{
		Mode:     grip.HoldResponse,
		Channels: []grip.Channel{{Name: channel, PrevID: lastID}},
		Timeout:  h.Timeout,
	}
	if h.History != nil && lastID != "" {
		// Released at once if lastID is already old when the proxy holds it.
		feed.HoldReleaseCheck(&hold, channel, lastID)
	}
	if err := hold.Apply(resp.Header, h.Grip); err != nil {
		log.ErrorContext(ctx, "cannot build hold instructions", "error", err)
		return apigw.Error(http.StatusInternalServerError, "cannot hold the request"), nil
	}
	log.InfoContext(ctx, "request held")
	return resp, nil
}

func pollResponse(channel string, r feed.Replay) *apigw.Response {
	p := feed.Poll{Channel: channel, Messages: make([]feed.Message, len(r.Entries)), LastID: r.Through, Gap: r.Gap}
	for i, e := range r.Entries {
		p.Messages[i] = feed.Message{ID: e.ID, Text: string(e.Data)}
	}
	return &apigw.Response{
		Status: http.StatusOK,
		Header: feed.ResponseHeader("application/json"),
		Body:   feed.PollBody(p),
	}
}

// resumeID is where the client resumes: the proxy's Grip-Last for the channel
// when present (the proxy retries a held request with it when the channel
// moved on), else the client's last_id; "" for a new client. It is returned
// in canonical form ("007" is "7"), so it compares equal to published ids.
func resumeID(r *apigw.Request, fullChannel string) (string, bool) {
	if id, ok := grip.ParseGripLast(r.Header)[fullChannel]; ok {
		if canonical, ok := feed.CanonicalID(id); ok && canonical != "" {
			return canonical, true
		}
	}
	return feed.CanonicalID(r.Query.Get("last_id"))
}
