package main

import (
	"context"
	"errors"
	"fmt"
	"time"
)

var errNoFloor = errors.New("the floor function did not build, see (c)")

// memory is (d): the chat function's peak RSS after many invocations of
// events/chat-message.json through the Runtime API, and the time of one
// invocation there against the floor's, invocations alternating.
func (b *bench) memory(ctx context.Context) error {
	if err := b.needChat(); err != nil {
		return err
	}
	if b.floorBin == "" {
		return errNoFloor
	}
	env, err := b.functionEnv()
	if err != nil {
		return err
	}
	event, err := b.event("chat-message.json")
	if err != nil {
		return err
	}
	f, err := startReady(b.hostBins[chatFunction], env)
	if err != nil {
		return err
	}
	defer f.stop()
	floor, err := startReady(b.floorBin, env)
	if err != nil {
		return fmt.Errorf("the floor: %w", err)
	}
	defer floor.stop()
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	// RSS a tenth of the way in too: the heap settles early, and a leak
	// would show as growth from there.
	early, earlyAt := int64(0), max(b.o.invocations/10, 1)
	var chat, base []time.Duration
	for i := range b.o.invocations {
		d, err := timedInvoke(ctx, f, event)
		if err != nil {
			return fmt.Errorf("invocation %d: %w", i+1, err)
		}
		chat = append(chat, d)
		if d, err = timedInvoke(ctx, floor, event); err != nil {
			return fmt.Errorf("the floor, invocation %d: %w", i+1, err)
		}
		base = append(base, d)
		if i+1 == earlyAt {
			if _, early, err = f.memory(); err != nil {
				return err
			}
		}
	}
	peak, current, err := f.memory()
	if err != nil {
		return err
	}
	s := b.r.section(fmt.Sprintf("(d) chat function after %d invocations of events/chat-message.json through the Runtime API, alternating with the floor's", b.o.invocations),
		"figure", "measured", "budget")
	s.row("peak RSS (VmHWM)", mib(peak), "— (one event: ≤ 16 MiB, see (b))")
	s.row(fmt.Sprintf("RSS after %d invocations (VmRSS)", earlyAt), mib(early), "")
	s.row(fmt.Sprintf("RSS after %d invocations (VmRSS)", b.o.invocations), mib(current), "")
	s.row("one invocation (with its publish), median", ms(median(chat)), "")
	s.row("the floor's invocation, median", ms(median(base)), "")
	s.row("invocation / floor", b.r.judgeRatio("chat invocation / floor", median(chat), median(base), budgetInvokeRatio), fmt.Sprintf("≤ %.2g×", budgetInvokeRatio))
	s.note("An invocation: the event queued at the Runtime API -> the function's response received. The chat's includes its publish (one HTTP request to a loopback GRIP control endpoint); the floor (see (b)) returns the event.")
	return nil
}

// timedInvoke is one invocation's time, event queued -> response received.
func timedInvoke(ctx context.Context, f *function, event []byte) (time.Duration, error) {
	start := time.Now()
	_, err := f.invoke(ctx, event)
	return time.Since(start), err
}
