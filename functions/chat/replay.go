package main

import (
	"context"
	"errors"
	"log/slog"
	"strings"

	"github.com/faas-grip/faas-grip-go/internal/feed"
	"github.com/faas-grip/faas-grip-go/internal/grip/ws"
	"github.com/faas-grip/faas-grip-go/internal/history"
)

// Resuming: how a client gets every message once, in order.
//
// Every broadcast is numbered in the channel's history before it is
// published (the publish function numbers its texts in the same history),
// so ids are consecutive per channel and a client can tell what it lacks.
// A client that reconnects with ?last_id=N gets, in the OPEN response, the
// messages after N (feed.ReadReplay, bounded), then live ones.
//
// The boundary between that read and the live subscription cannot be made
// tight on the server: Pushpin has no prev-id for WebSocket, and the
// subscribe in the OPEN response takes effect only when the proxy has
// processed it. A message published between the read and then is in the
// history but not sent live; one published after the subscription but
// before the read arrives twice. So the client decides, by id:
//   - an id at or below its last is a duplicate and is dropped;
//   - an id above last+1 is a hole: the client keeps the message, asks
//     "/since <last>" and shows messages in id order once the hole is
//     filled. The answer reads the history after the live message that
//     revealed the hole arrived, so after the subscription took effect:
//     everything numbered before is in the history by then (a message is
//     appended before it is published), everything after arrives live.
//   - the page also asks "/since <last>" once, a second after it connects,
//     for a message that fell in the window with none after it to reveal it.
//
// Nothing can be lost (every id is either live, or in the history when the
// client asks) or shown twice (ids at or below last are dropped).

// maxRepliesPerRequest bounds the replays one response carries: each is
// at most feed.MaxReplayBytes of data, and a response must stay far below
// Lambda's 6 MB. A later /since in the same request is told "more".
const maxRepliesPerRequest = 1

// sinceCommand is what a client sends to get the messages after an id.
const sinceCommand = "/since"

// parseSinceCommand recognizes "/since <id>" (and a bare "/since").
func parseSinceCommand(text string) (lastID string, ok bool) {
	if text == sinceCommand {
		return "", true
	}
	arg, ok := strings.CutPrefix(text, sinceCommand+" ")
	return strings.TrimSpace(arg), ok
}

// replayer answers the resume requests of one WebSocket-over-HTTP request.
type replayer struct {
	store   history.Store // nil: history off
	channel string
	conn    *ws.Context
	log     func() *slog.Logger
	replies int
}

// open greets a new connection and, with history on, sends what it missed
// after lastID (its ?last_id=, "" for a new client) and where it is now.
func (r *replayer) open(ctx context.Context, lastID, welcome string) {
	if r.store == nil {
		r.conn.Send(noticeFrame(noticeWelcome, welcome))
		return
	}
	replay, err := r.read(ctx, lastID)
	if errors.Is(err, feed.ErrBadLastID) {
		// Told, then started where a new client starts: the page only ever
		// sends ids it got, so this is a hand-made URL.
		r.conn.Send(noticeFrame(noticeBadLastID, "?last_id="+feed.ErrBadLastID.Error()+"; you start with new messages"))
		lastID = ""
		replay, err = r.read(ctx, "")
	}
	if err != nil {
		// The connection is worth more than its past: it joins, is told,
		// and keeps its own last id to ask again with.
		r.conn.Send(noticeFrame(noticeWelcome, welcome))
		r.unavailable(ctx, err)
		return
	}
	at := replay.Through
	if lastID != "" {
		at, _ = feed.CanonicalID(lastID)
	}
	r.conn.Send(positionNotice(noticeWelcome, welcome, at))
	r.send(replay)
}

// since answers "/since <id>": the messages after id, to this connection only.
func (r *replayer) since(ctx context.Context, lastID string) {
	switch {
	case r.store == nil:
		r.conn.Send(noticeFrame(noticeNoHistory, "this chat keeps no history: there is nothing to resume from"))
		return
	case lastID == "":
		r.badSince()
		return
	case r.replies >= maxRepliesPerRequest:
		r.conn.Send(positionNotice(noticeMore, "one replay at a time: ask again", lastID))
		return
	}
	replay, err := r.read(ctx, lastID)
	if errors.Is(err, feed.ErrBadLastID) {
		r.badSince()
		return
	}
	if err != nil {
		r.unavailable(ctx, err)
		return
	}
	r.send(replay)
}

func (r *replayer) badSince() {
	r.conn.Send(noticeFrame(noticeBadLastID, sinceCommand+": "+feed.ErrBadLastID.Error()+", e.g. "+sinceCommand+" 42"))
}

func (r *replayer) read(ctx context.Context, lastID string) (feed.Replay, error) {
	hctx, cancel := context.WithTimeout(ctx, historyBudget)
	defer cancel()
	replay, err := feed.ReadReplay(hctx, r.store, r.channel, lastID)
	if err == nil {
		r.replies++
	}
	return replay, err
}

func (r *replayer) unavailable(ctx context.Context, err error) {
	r.log().ErrorContext(ctx, "history read failed", "error", err)
	r.conn.Send(noticeFrame(noticeHistoryUnavailable, "the chat history cannot be read now: messages you missed are not shown yet"))
}

// send writes a replay: a gap notice first (it moves the client past what
// is no longer kept, so the messages after it are no hole), the messages,
// then "more" when the replay stopped at a bound.
func (r *replayer) send(replay feed.Replay) {
	if replay.Gap {
		at := replay.Through
		if len(replay.Entries) > 0 {
			at = replay.Entries[0].PrevID
		}
		r.conn.Send(positionNotice(noticeHistoryGap, "some messages you missed are no longer kept", at))
	}
	for _, e := range replay.Entries {
		r.conn.Send(string(feed.MarshalFrame(feed.EntryFrame(e))))
	}
	if replay.More {
		r.conn.Send(positionNotice(noticeMore, "there are more messages: send "+sinceCommand+" "+replay.Through, replay.Through))
	}
}
