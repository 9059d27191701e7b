package feed

import (
	"context"
	"errors"
	"strconv"

	"github.com/faas-grip/faas-grip-go/internal/history"
)

// A replay is bounded so that one answer stays far below Lambda's 6 MB
// response limit and a client far behind is not sent a backlog it cannot
// show: it resumes again from the replay's last id for the rest.
const (
	MaxReplayMessages = 100
	MaxReplayBytes    = 256 << 10 // the messages' data, framing excluded
)

// Replay is what a client resuming after an id gets before live messages.
type Replay struct {
	Entries []history.Entry // oldest first, at most MaxReplayMessages
	// Through is the id the client is at once it has Entries: the last
	// entry's, else where it resumed (the channel's head for a new
	// client). A hold's prev-id: the next live message must follow it.
	Through string
	// Gap says messages after the client's id are no longer kept (older
	// than the history's retention), or the id was never reached (a
	// history reset): tell the client rather than silently go on.
	Gap bool
	// More says Entries stopped at a bound: the client resumes again
	// from Through for the rest.
	More bool
}

// ErrBadLastID rejects a resume id that is not a decimal message id; its
// text is safe to show the client.
var ErrBadLastID = errors.New("last id must be the decimal id of the last message you received")

// ReadReplay reads what a client that last saw lastID ("" for a new client)
// missed on channel. The returned error is ErrBadLastID, or the store's.
func ReadReplay(ctx context.Context, store history.Store, channel, lastID string) (Replay, error) {
	last, ok := CanonicalID(lastID)
	if !ok {
		return Replay{}, ErrBadLastID
	}
	head, err := store.Last(ctx, channel)
	if err != nil {
		return Replay{}, err
	}
	switch {
	case last == "" || last == head:
		return Replay{Through: head}, nil
	case last == "0" && head == "":
		// Before the first message of a channel that has none yet.
		return Replay{}, nil
	case IDAfter(last, head):
		// An id the channel never reached: holding on it would never match
		// a publish. The client restarts at the head, and is told.
		return Replay{Through: head, Gap: true}, nil
	}
	entries, err := store.Since(ctx, channel, last, MaxReplayMessages)
	gap := errors.Is(err, history.ErrGap)
	if err != nil && !gap {
		return Replay{}, err
	}
	r := Replay{Entries: fitBytes(entries), Through: last, Gap: gap}
	if n := len(r.Entries); n > 0 {
		r.Through = r.Entries[n-1].ID
	} else if gap {
		r.Through = head // nothing after lastID is kept: restart at the head
	}
	// Since may see messages appended after Last was read: only one that
	// stops short of the head read first is known to have more after it.
	r.More = len(r.Entries) < len(entries) || IDAfter(head, r.Through)
	return r, nil
}

// fitBytes keeps the oldest entries whose data fits in MaxReplayBytes, and
// at least one so a client always makes progress.
func fitBytes(entries []history.Entry) []history.Entry {
	size := 0
	for i, e := range entries {
		size += len(e.Data)
		if size > MaxReplayBytes && i > 0 {
			return entries[:i]
		}
	}
	return entries
}

// CanonicalID is id in canonical decimal form ("007" is "7"), so that it
// compares equal to the ids the history gives; "" stays "". ok is false for
// anything else.
func CanonicalID(id string) (canonical string, ok bool) {
	if id == "" {
		return "", true
	}
	n, err := strconv.ParseUint(id, 10, 64)
	if err != nil {
		return "", false
	}
	return strconv.FormatUint(n, 10), true
}

// IDAfter reports whether id is past other; both are canonical ids or "".
func IDAfter(id, other string) bool {
	return len(id) > len(other) || (len(id) == len(other) && id > other)
}
