package main

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"strconv"

	"github.com/faas-grip/faas-grip-go/internal/feed"
	"github.com/faas-grip/faas-grip-go/internal/history"
)

// assignIDs gives the text messages their items, numbered per channel in one
// history append per channel. A history failure fails that channel's messages.
func (h *Handler) assignIDs(ctx context.Context, batch []pending) {
	byChannel := map[string][]int{}
	var order []string
	for i, p := range batch {
		if p.msg.Text == nil {
			continue
		}
		if _, seen := byChannel[p.msg.Channel]; !seen {
			order = append(order, p.msg.Channel)
		}
		byChannel[p.msg.Channel] = append(byChannel[p.msg.Channel], i)
	}
	for _, ch := range order {
		h.numberChannel(ctx, ch, batch, byChannel[ch])
	}
}

// numberChannel numbers the messages batch[idx] of one channel. An
// idempotency key reused for another text fails its own message only.
func (h *Handler) numberChannel(ctx context.Context, channel string, batch []pending, idx []int) {
	entries, err := h.appendHistory(ctx, channel, batch, idx)
	if errors.Is(err, history.ErrKeyConflict) {
		if len(idx) > 1 {
			for _, i := range idx {
				h.numberChannel(ctx, channel, batch, []int{i})
			}
			return
		}
		err = &InputError{Field: "idempotency-key", Reason: "already used for another text on this channel"}
	}
	if err != nil {
		for _, i := range idx {
			batch[i].err = err
		}
		return
	}
	msgs := make([]pending, len(idx))
	for j, i := range idx {
		msgs[j] = batch[i]
		msgs[j].items = feed.Items(channel, *batch[i].msg.Text, entries[j].ID, entries[j].PrevID)
		msgs[j].seq, _ = strconv.ParseUint(entries[j].ID, 10, 64)
	}
	// A message delivered again keeps its older id: send the channel's
	// messages in id order, so the proxy sees each prev-id before the item
	// naming it rather than holding that item for the missing one.
	slices.SortStableFunc(msgs, func(a, b pending) int { return cmp.Compare(a.seq, b.seq) })
	for j, i := range idx {
		batch[i] = msgs[j]
	}
}

// appendHistory stores the messages under their idempotency keys, so that
// a message delivered again gets the entry (and id) it got the first time
// rather than a second one. Without a history the entries have no ids.
func (h *Handler) appendHistory(ctx context.Context, channel string, batch []pending, idx []int) ([]history.Entry, error) {
	if h.History == nil {
		return make([]history.Entry, len(idx)), nil
	}
	items := make([]history.Item, len(idx))
	for j, i := range idx {
		items[j] = history.Item{Key: batch[i].historyKey(), Data: []byte(*batch[i].msg.Text)}
	}
	entries, err := h.History.AppendItems(ctx, channel, items...)
	if err == nil && len(entries) != len(idx) {
		err = errors.New("history returned a different number of entries")
	}
	return entries, err
}

// historyKey names the message for the history: the sender's key, else the
// SQS message id (the same on every delivery of the message), else none.
func (p pending) historyKey() string {
	switch {
	case p.msg.IdempotencyKey != "":
		return "key:" + p.msg.IdempotencyKey
	case p.recordID != "":
		return "sqs:" + p.recordID
	}
	return ""
}
