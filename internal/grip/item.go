package grip

import (
	"fmt"
	"slices"

	"github.com/faas-grip/faas-grip-go/internal/grip/internal/jsonstr"
)

// Item is one message to publish to a channel. Channel is the name without
// GRIP_PREFIX: Publish adds the prefix.
//
// ID and PrevID let the proxy order items and detect gaps (a subscriber
// that missed PrevID is re-synced); NoSeq asks it to deliver at once
// without that ordering. Meta travels with the item, for filters.
type Item struct {
	Channel string
	ID      string
	PrevID  string
	Meta    map[string]string
	NoSeq   bool
	Formats Formats
}

// MarshalJSON encodes the item as the proxies expect it, without a prefix.
// It fails on an item Publish would refuse.
func (it Item) MarshalJSON() ([]byte, error) {
	b, err := it.appendJSON(make([]byte, 0, it.size("")), "")
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errInvalidItem, err)
	}
	return b, nil
}

// appendJSON writes the item with prefix added to its channel.
func (it *Item) appendJSON(dst []byte, prefix string) ([]byte, error) {
	if err := checkChannel(prefix, it.Channel); err != nil {
		return dst, err
	}
	dst = append(dst, `{"channel":"`...)
	dst = jsonstr.AppendBody(dst, prefix)
	dst = jsonstr.AppendBody(dst, it.Channel)
	dst = append(dst, '"')
	if it.ID != "" {
		dst = appendKey(dst, "id")
		dst = jsonstr.Append(dst, it.ID)
	}
	if it.PrevID != "" {
		dst = appendKey(dst, "prev-id")
		dst = jsonstr.Append(dst, it.PrevID)
	}
	if len(it.Meta) > 0 {
		var err error
		if dst, err = appendMeta(dst, it.Meta); err != nil {
			return dst, err
		}
	}
	if it.NoSeq {
		dst = appendKey(dst, "no-seq")
		dst = append(dst, "true"...)
	}
	dst = appendKey(dst, "formats")
	dst, err := it.Formats.appendJSON(dst)
	if err != nil {
		return dst, err
	}
	return append(dst, '}'), nil
}

// appendMeta writes the meta object with its keys sorted, so equal items
// encode to equal bytes.
func appendMeta(dst []byte, meta map[string]string) ([]byte, error) {
	var stack [8]string
	keys := stack[:0]
	for k := range meta {
		if k == "" {
			return dst, fmt.Errorf("meta has an empty key")
		}
		keys = append(keys, k)
	}
	slices.Sort(keys)
	dst = appendKey(dst, "meta")
	dst = append(dst, '{')
	for i, k := range keys {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = jsonstr.Append(dst, k)
		dst = append(dst, ':')
		dst = jsonstr.Append(dst, meta[k])
	}
	return append(dst, '}'), nil
}

// size estimates the encoded length, so the buffer is allocated once.
func (it *Item) size(prefix string) int {
	n := 48 + len(prefix) + len(it.Channel) + len(it.ID) + len(it.PrevID)
	for k, v := range it.Meta {
		n += len(k) + len(v) + 6
	}
	return n + it.Formats.size()
}

// appendPublishBody writes {"items":[...]}, the body of a publish request.
func appendPublishBody(dst []byte, prefix string, items []Item) ([]byte, error) {
	dst = append(dst, `{"items":[`...)
	for i := range items {
		if i > 0 {
			dst = append(dst, ',')
		}
		var err error
		if dst, err = items[i].appendJSON(dst, prefix); err != nil {
			return nil, &ItemError{Index: i, Err: err}
		}
	}
	return append(dst, ']', '}'), nil
}

// publishBody encodes items into a buffer sized for them.
func publishBody(prefix string, items []Item) ([]byte, error) {
	n := 16
	for i := range items {
		n += items[i].size(prefix)
	}
	return appendPublishBody(make([]byte, 0, n), prefix, items)
}
