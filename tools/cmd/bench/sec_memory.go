package main

import (
	"context"
	"fmt"
	"time"
)

// memory is (d): the chat function's peak RSS after many invocations of
// events/chat-message.json through the Runtime API.
func (b *bench) memory(ctx context.Context) error {
	if err := b.needChat(); err != nil {
		return err
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
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	// RSS a tenth of the way in too: the heap settles early, and a leak
	// would show as growth from there.
	early, earlyAt := int64(0), max(b.o.invocations/10, 1)
	start := time.Now()
	for i := range b.o.invocations {
		if _, err := f.invoke(ctx, event); err != nil {
			return fmt.Errorf("invocation %d: %w", i+1, err)
		}
		if i+1 == earlyAt {
			if _, early, err = f.memory(); err != nil {
				return err
			}
		}
	}
	elapsed := time.Since(start)
	peak, current, err := f.memory()
	if err != nil {
		return err
	}
	s := b.r.section(fmt.Sprintf("(d) chat function memory after %d invocations of events/chat-message.json", b.o.invocations),
		"figure", "measured", "budget")
	s.row("peak RSS (VmHWM)", mib(peak), "— (one event: ≤ 16 MiB, see (b))")
	s.row(fmt.Sprintf("RSS after %d invocations (VmRSS)", earlyAt), mib(early), "")
	s.row(fmt.Sprintf("RSS after %d invocations (VmRSS)", b.o.invocations), mib(current), "")
	s.row("time per invocation through the Runtime API (with its publish)", ms(elapsed/time.Duration(b.o.invocations)), "")
	return nil
}
