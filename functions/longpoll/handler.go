package main

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/faas-grip/faas-grip-go/internal/clienttoken"
	"github.com/faas-grip/faas-grip-go/internal/feed"
	"github.com/faas-grip/faas-grip-go/internal/grip"
	"github.com/faas-grip/faas-grip-go/internal/grip/apigw"
	"github.com/faas-grip/faas-grip-go/internal/history"
)

// maxCatchUp bounds one catch-up answer; the client asks again with the new last_id.
const maxCatchUp = 100

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
		head, err := h.History.Last(ctx, channel)
		if err != nil {
			log.ErrorContext(ctx, "history read failed", "error", err)
			return apigw.Error(http.StatusServiceUnavailable, "cannot read the channel history, try again"), nil
		}
		switch {
		case lastID == "":
			lastID = head // a new client starts from now
		case idAfter(lastID, head):
			// An id the channel never reached (history reset, a typo): holding
			// on it would never match a publish. Restart the client at the head.
			log.WarnContext(ctx, "last_id is ahead of the channel", "head", head)
			return pollResponse(channel, nil, head, true), nil
		case lastID != head:
			// A client that is behind (it says so, or the proxy's Grip-Last
			// does) gets what it missed now instead of waiting for a publish.
			missed, err := h.History.Since(ctx, channel, lastID, maxCatchUp)
			if err != nil && !errors.Is(err, history.ErrGap) {
				log.ErrorContext(ctx, "history read failed", "error", err)
				return apigw.Error(http.StatusServiceUnavailable, "cannot read the channel history, try again"), nil
			}
			if missed = fitResponse(missed); len(missed) > 0 {
				log.InfoContext(ctx, "caught up", "messages", len(missed), "gap", err != nil)
				return pollResponse(channel, missed, missed[len(missed)-1].ID, err != nil), nil
			}
		}
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
	if err := hold.Apply(resp.Header, h.Grip); err != nil {
		log.ErrorContext(ctx, "cannot build hold instructions", "error", err)
		return apigw.Error(http.StatusInternalServerError, "cannot hold the request"), nil
	}
	log.InfoContext(ctx, "request held")
	return resp, nil
}

func pollResponse(channel string, entries []history.Entry, lastID string, gap bool) *apigw.Response {
	p := feed.Poll{Channel: channel, Messages: make([]feed.Message, len(entries)), LastID: lastID, Gap: gap}
	for i, e := range entries {
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
		if canonical, ok := canonicalID(id); ok && canonical != "" {
			return canonical, true
		}
	}
	return canonicalID(r.Query.Get("last_id"))
}

func canonicalID(id string) (string, bool) {
	if id == "" {
		return "", true
	}
	n, err := strconv.ParseUint(id, 10, 64)
	if err != nil {
		return "", false
	}
	return strconv.FormatUint(n, 10), true
}

// idAfter reports whether id is past head; both are canonical decimal ids.
func idAfter(id, head string) bool {
	return len(id) > len(head) || (len(id) == len(head) && id > head)
}

// maxCatchUpBytes keeps a catch-up answer well under Lambda's 6 MB response
// limit (and API Gateway's 10 MB): the client asks again for the rest.
const maxCatchUpBytes = 1 << 20

// fitResponse keeps the oldest entries that fit in maxCatchUpBytes, and at
// least one so a client always makes progress.
func fitResponse(entries []history.Entry) []history.Entry {
	size := 0
	for i, e := range entries {
		size += len(e.Data) + 64 // JSON framing and the id
		if size > maxCatchUpBytes && i > 0 {
			return entries[:i]
		}
	}
	return entries
}
