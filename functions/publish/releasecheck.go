package main

import (
	"context"
	"strconv"
	"time"

	"github.com/faas-grip/faas-grip-go/internal/feed"
	"github.com/faas-grip/faas-grip-go/internal/grip"
)

// defaultReleaseCheckDelay is how long after its messages the function
// sends the long-polls' release checks (feed.ReleaseCheck): longer than a
// long-poll takes from reading the channel's head to being held by the
// proxy, so that a poll held on an id that was already old is caught.
const defaultReleaseCheckDelay = 400 * time.Millisecond

// sendReleaseChecks waits h.ReleaseCheckDelay, then sends one release check
// per channel that got numbered messages, naming its newest id. A message
// that failed counts too: a poll behind it is retried and caught up from
// the history, where the message is. Checks only hurry long-polls along
// (without one a stalled poll waits for the next message or its timeout),
// so a failure is logged, never reported as a failed message.
func (h *Handler) sendReleaseChecks(ctx context.Context, batch []pending) {
	if h.ReleaseCheckDelay <= 0 {
		return
	}
	newest := map[string]uint64{}
	var order []string
	for _, p := range batch {
		if p.seq == 0 {
			continue
		}
		if _, seen := newest[p.msg.Channel]; !seen {
			order = append(order, p.msg.Channel)
		}
		newest[p.msg.Channel] = max(newest[p.msg.Channel], p.seq)
	}
	if len(order) == 0 {
		return
	}
	wait := time.NewTimer(h.ReleaseCheckDelay)
	defer wait.Stop()
	select {
	case <-ctx.Done():
		return
	case <-wait.C:
	}
	checks := make([]grip.Item, len(order))
	for i, ch := range order {
		checks[i] = feed.ReleaseCheck(ch, strconv.FormatUint(newest[ch], 10))
	}
	if err := h.Publisher.Publish(ctx, checks...); err != nil {
		h.Logger.WarnContext(ctx, "long-poll release checks failed; a poll that missed its release waits for the next message", "channels", len(order), "error", err)
	}
}
