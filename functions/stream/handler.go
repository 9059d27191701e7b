package main

import (
	"cmp"
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/faas-grip/faas-grip-go/internal/clienttoken"
	"github.com/faas-grip/faas-grip-go/internal/feed"
	"github.com/faas-grip/faas-grip-go/internal/grip"
	"github.com/faas-grip/faas-grip-go/internal/grip/apigw"
	"github.com/faas-grip/faas-grip-go/internal/history"
)

// keepAliveEvery keeps idle streams (and the load balancers on their path) alive.
const keepAliveEvery = 20 * time.Second

// The proxy follows a stream's next link when a published item does not
// follow the stream's prev-id, and when the stream has been idle for the
// link's timeout. Soon after a stream opens, so that a message published
// between the history read and the proxy's subscription is fetched, and
// while a replay has more to send; then rarely, to catch a lost last
// message (each follow is one invocation).
const (
	followSoon = time.Second
	followIdle = 2 * time.Minute
)

// Handler answers GET /stream?channel=<name>[&last_id=<id>].
type Handler struct {
	Grip           grip.Config   // the channel prefix
	History        history.Store // nil: live only, no resume
	DefaultChannel string
	Tokens         *clienttoken.Verifier // nil: public, any channel
	Logger         *slog.Logger
}

// request is what one stream request asks for.
type request struct {
	channel string // as the client names it, without the prefix
	sse     bool
	// next: the proxy follows the stream's next link. It sends Grip-Last,
	// not the client's headers: the body continues the stream.
	next   bool
	lastID string // canonical; "" for a new client
}

// Handle answers one request; the edge has checked its Grip-Sig.
func (h *Handler) Handle(ctx context.Context, r *apigw.Request) (*apigw.Response, error) {
	log := h.Logger.With("request_id", r.RequestID)
	if r.Method != http.MethodGet {
		return apigw.Error(http.StatusMethodNotAllowed, "use GET /stream?channel=<name>"), nil
	}
	req, refused := h.parse(ctx, r, log)
	if refused != nil {
		return refused, nil
	}
	log = log.With("channel", req.channel, "sse", req.sse, "next", req.next, "last_id", req.lastID)

	resp := &apigw.Response{Status: http.StatusOK}
	hold := grip.Hold{Mode: grip.HoldStream}
	if req.sse {
		resp.Header = feed.ResponseHeader("text/event-stream")
		hold.Channels = []grip.Channel{{Name: feed.SSEChannel(req.channel)}}
		hold.KeepAlive = &grip.KeepAlive{Data: []byte(":\n\n"), Timeout: keepAliveEvery}
	} else {
		resp.Header = feed.ResponseHeader("text/plain; charset=utf-8")
		hold.Channels = []grip.Channel{{Name: req.channel}}
		hold.KeepAlive = &grip.KeepAlive{Data: []byte("\n"), Timeout: keepAliveEvery}
	}

	var replay feed.Replay
	if h.History != nil {
		var err error
		if replay, err = feed.ReadReplay(ctx, h.History, req.channel, req.lastID); err != nil {
			log.ErrorContext(ctx, "history read failed", "error", err)
			if req.sse && !req.next {
				// EventSource gives up for good on an error status; a
				// stream that ends at once has it reconnect (with its
				// Last-Event-ID) after the retry delay.
				resp.Body = []byte("retry: 3000\n: cannot read the channel history, reconnecting\n\n")
				return resp, nil
			}
			// The proxy retries a next link answered 5xx (5 times, backing
			// off from 1 s) before it ends the stream.
			return apigw.Error(http.StatusServiceUnavailable, "cannot read the channel history, try again"), nil
		}
		if replay.Gap && req.next && !req.sse {
			// A plain stream has no way to say so in its body: end it, and
			// the client's reconnect (with its last id) is told.
			log.WarnContext(ctx, "stream ended at a gap in the history")
			return resp, nil
		}
		// The proxy sends the stream only items that follow this id, and
		// follows the link for the others.
		hold.Channels[0].PrevID = holdPrevID(replay.Through)
		follow := followIdle
		if !req.next || replay.More {
			follow = followSoon
		}
		hold.Links = []grip.Link{{URI: nextLink(req.channel), Rel: grip.LinkNext, Timeout: follow}}
	}
	resp.Body = body(req, replay, h.History != nil)
	if err := hold.Apply(resp.Header, h.Grip); err != nil {
		log.ErrorContext(ctx, "cannot build hold instructions", "error", err)
		return apigw.Error(http.StatusInternalServerError, "cannot hold the stream"), nil
	}
	log.InfoContext(ctx, "stream held", "replayed", len(replay.Entries), "gap", replay.Gap, "more", replay.More, "through", replay.Through)
	return resp, nil
}

// parse reads the request, answering a bad one with a 4xx that says why.
//
// A request with Grip-Last is the proxy following the stream's next link:
// Pushpin removes every Grip-* header a client sends, so no client can pose
// as one; and since the proxy sends none of the client's headers, the token
// was checked when the stream opened. Its Grip-Last names the channel held
// (the SSE twin for SSE) and the id the stream is at.
func (h *Handler) parse(ctx context.Context, r *apigw.Request, log *slog.Logger) (request, *apigw.Response) {
	var req request
	tokens := h.Tokens
	req.next = len(r.Header.Values("Grip-Last")) > 0
	if req.next {
		tokens = nil
	}
	var refused *apigw.Response
	if req.channel, refused = feed.RequestedChannel(ctx, r, h.Grip, h.DefaultChannel, tokens, log); refused != nil {
		return req, refused
	}
	var id, from string
	if req.next {
		last := grip.ParseGripLast(r.Header)
		plain, plainOK := last[h.Grip.Channel(req.channel)]
		sse, sseOK := last[h.Grip.Channel(feed.SSEChannel(req.channel))]
		switch {
		case sseOK:
			req.sse, id, from = true, sse, "Grip-Last"
		case plainOK:
			id, from = plain, "Grip-Last"
		default:
			log.WarnContext(ctx, "next link without the channel's Grip-Last")
			return req, apigw.Error(http.StatusBadRequest, "Grip-Last names no channel of this stream")
		}
	} else {
		req.sse = acceptsSSE(r.Header)
		id, from = r.Query.Get("last_id"), "last_id"
		// EventSource sends the last id it saw when it reconnects; the
		// URL's last_id is where the page first started.
		if v := r.Header.Get("Last-Event-ID"); req.sse && v != "" {
			id, from = v, "Last-Event-ID"
		}
	}
	var ok bool
	if req.lastID, ok = feed.CanonicalID(id); !ok {
		log.WarnContext(ctx, "bad last id", "from", from, "len", len(id))
		return req, apigw.Error(http.StatusBadRequest, from+" must be the decimal id of the last message you received")
	}
	return req, nil
}

// holdPrevID is the prev-id to hold a stream on. A stream on an empty
// channel holds on "0": the channel's first item (which has no prev-id)
// then does not follow it, and the proxy fetches it through the next link,
// from where the stream is reliable like any other.
func holdPrevID(through string) string {
	if through == "" {
		return "0"
	}
	return through
}

// nextLink is the link the proxy follows, relative to the client's URL so
// that it takes the client's route. It names the channel only: the proxy
// tells where the stream is with Grip-Last, and shares one request among
// the streams at the same place. A client token in the query stays out.
func nextLink(channel string) string {
	return "?" + url.Values{"channel": {channel}}.Encode()
}

// body is what the response sends the client: the opening line (not when
// the proxy follows a link: the stream goes on), then the replay.
func body(req request, r feed.Replay, resumable bool) []byte {
	var b []byte
	if req.sse {
		if !req.next {
			// With the id the client is at, so that EventSource reconnects
			// with it as Last-Event-ID even before its first message (a new
			// client otherwise comes back as new, and misses what was sent
			// while it was away).
			at := ""
			if resumable {
				at = cmp.Or(req.lastID, holdPrevID(r.Through))
			}
			b = append(b, feed.SSEEvent(at, "open", "streaming "+req.channel)...)
		}
		if r.Gap {
			b = append(b, gapEvent(req.lastID)...)
		}
		for _, e := range r.Entries {
			b = append(b, feed.SSEEvent(e.ID, "message", string(e.Data))...)
		}
		return b
	}
	if !req.next {
		opening := "streaming " + req.channel
		if r.Gap {
			opening += " (" + gapText(req.lastID) + ")"
		}
		b = append(b, opening+"\n"...)
	}
	for _, e := range r.Entries {
		b = append(append(b, e.Data...), '\n')
	}
	return b
}

// gapEvent tells an SSE client that messages after its id are gone. It has
// no id, so a reconnect before the next message is told again.
func gapEvent(lastID string) []byte {
	return feed.SSEEvent("", "gap", `{"code":"history-gap","text":"`+gapText(lastID)+`"}`)
}

func gapText(lastID string) string {
	return "messages after " + lastID + " are no longer kept: the stream goes on from the oldest kept"
}

func acceptsSSE(h http.Header) bool {
	for _, v := range h.Values("Accept") {
		if strings.Contains(v, "text/event-stream") {
			return true
		}
	}
	return false
}
