package history

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"
	"unicode/utf8"
)

// Entry is one item of a channel's history.
type Entry struct {
	Channel string    // the channel it was appended to
	ID      string    // decimal sequence number: "1", "2", ...
	PrevID  string    // ID minus one; "" for the channel's first entry
	Data    []byte    // what was appended, opaque to the store
	Time    time.Time // when it was appended (UTC, by the appender's clock)
}

// Store keeps the recent items of every channel, numbered per channel.
//
// Implementations are safe for concurrent use, also by several processes or
// Lambda instances sharing the same backing store.
type Store interface {
	// Append is AppendItems with items that have no key.
	Append(ctx context.Context, channel string, data ...[]byte) ([]Entry, error)

	// AppendItems numbers items as the channel's next entries, in order, and
	// stores them. It returns one entry per item; with no items it does
	// nothing. IDs are unique across concurrent callers, and consecutive
	// within one call unless it is very large (many entries, or megabytes).
	//
	// An item with a Key is stored once per channel: when the key was
	// already appended (by this call, an earlier one, or a concurrent one)
	// its entry is the one stored first, with that entry's ID, PrevID and
	// Time, and nothing is stored again. So a message redelivered after a
	// failure keeps its id. The same key with other data fails the call with
	// ErrKeyConflict. Keys are remembered as long as their entry is kept.
	//
	// On an error nothing of the failed part was stored, but a call large
	// enough to be split may have stored its first part: retry with keys.
	AppendItems(ctx context.Context, channel string, items ...Item) ([]Entry, error)

	// Since returns up to limit entries with an ID greater than afterID, oldest
	// first (limit <= 0 means DefaultLimit). An afterID of "" asks for the most
	// recent limit entries instead. When entries after afterID are no longer
	// available (expired, compacted away, or never written by a failed
	// Append), Since returns the entries it has together with an error that
	// matches ErrGap: the caller should tell the client it missed items.
	// An afterID at or beyond the newest ID yields no entries and no error.
	Since(ctx context.Context, channel, afterID string, limit int) ([]Entry, error)

	// Last returns the newest ID assigned in the channel, or "" if none.
	Last(ctx context.Context, channel string) (string, error)
}

// Item is what AppendItems stores: data and, optionally, an idempotency key.
type Item struct {
	// Key names the data uniquely within its channel, such as the id of
	// the queue message that carried it: "" for none, else 1-MaxKeyLen
	// bytes of UTF-8.
	Key  string
	Data []byte
}

// DefaultLimit is the number of entries Since returns when limit <= 0.
const DefaultLimit = 100

// MaxChannelLen is the longest channel name, in bytes, the stores accept.
const MaxChannelLen = 1024

var (
	// ErrGap means some entries after the requested ID are no longer kept.
	// Since returns it (wrapped, use errors.Is) along with the entries it has.
	ErrGap = errors.New("history: entries after the given id are no longer available")

	// ErrInvalidChannel rejects an empty, over-long or non-UTF-8 channel name.
	ErrInvalidChannel = errors.New("history: invalid channel name")

	// ErrInvalidID rejects an afterID that is not a decimal sequence number.
	ErrInvalidID = errors.New("history: invalid id")

	// ErrTooLarge rejects data too big to be stored as one entry.
	ErrTooLarge = errors.New("history: entry too large")

	// ErrInvalidKey rejects an over-long or non-UTF-8 Item.Key.
	ErrInvalidKey = errors.New("history: invalid key")

	// ErrKeyConflict rejects an item whose key is stored with other data:
	// a key must name one message.
	ErrKeyConflict = errors.New("history: key already used for other data")
)

func checkChannel(channel string) error {
	if channel == "" || len(channel) > MaxChannelLen || !utf8.ValidString(channel) {
		return fmt.Errorf("%w: %q (want 1-%d bytes of UTF-8)", ErrInvalidChannel, truncate(channel), MaxChannelLen)
	}
	return nil
}

func truncate(s string) string {
	if len(s) > 64 {
		return s[:64] + "..."
	}
	return s
}

// parseAfter parses Since's afterID; recent reports afterID "".
func parseAfter(afterID string) (after uint64, recent bool, err error) {
	if afterID == "" {
		return 0, true, nil
	}
	n, err := strconv.ParseUint(afterID, 10, 64)
	if err != nil {
		return 0, false, fmt.Errorf("%w: %q is not a decimal sequence number", ErrInvalidID, truncate(afterID))
	}
	return n, false, nil
}

func normLimit(limit int) int {
	if limit <= 0 {
		return DefaultLimit
	}
	return limit
}

func formatID(seq uint64) string {
	if seq == 0 {
		return ""
	}
	return strconv.FormatUint(seq, 10)
}

func newEntry(channel string, seq uint64, data []byte, t time.Time) Entry {
	return Entry{Channel: channel, ID: formatID(seq), PrevID: formatID(seq - 1), Data: data, Time: t}
}

// record is an entry as read back from a store, before hole checks.
type record struct {
	seq   uint64
	key   string // DirStore only: the idempotency key on the line
	start bool   // DynamoStore only: the first entry of a numbering
	e     Entry
}

// contiguous checks records (ascending seq) read for Since. Starting from
// after+1 (or the first record when recent), a missing seq is either gone
// for good or still being written by a concurrent Append: a hole just before
// a record younger than settle may still fill, so the result stops there; an
// older hole is permanent and reported as a gap. With settle 0 every hole is
// permanent. A hole before the first entry of a new numbering (DynamoStore,
// after its counter expired) is permanent too, and a gap unless the caller
// asked from the start (after 0) and that entry is the first one read.
func contiguous(recs []record, after uint64, recent bool, now time.Time, settle time.Duration) ([]Entry, bool) {
	out := make([]Entry, 0, len(recs))
	gap := false
	next := after + 1
	if recent && len(recs) > 0 {
		next = recs[0].seq
	}
	for _, r := range recs {
		if r.seq != next {
			switch {
			case r.start:
				gap = gap || !recent && (after != 0 || len(out) > 0)
			case settle > 0 && now.Sub(r.e.Time) < settle:
				return out, gap
			default:
				gap = !recent
			}
		}
		out = append(out, r.e)
		next = r.seq + 1
	}
	return out, gap
}

func gapError(channel string, after uint64, entries []Entry) error {
	first := "none"
	if len(entries) > 0 {
		first = entries[0].ID
	}
	return fmt.Errorf("%w (channel %q, after id %d, next kept id %s)", ErrGap, truncate(channel), after, first)
}
