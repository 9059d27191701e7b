package main

import (
	"context"
	"fmt"
	"time"
)

// memory is (d): the chat function's peak RSS after many invocations of
// events/chat-message.json through the Runtime API.
func (b *bench) memory(ctx context.Context) error {
	env, err := b.functionEnv()
	if err != nil {
		return err
	}
	event, err := b.event("chat-message.json")
	if err != nil {
		return err
	}
	f, _, err := startFunction(b.hostBins["ChatFunction"], env, nil)
	if err != nil {
		return err
	}
	defer f.stop()
	if _, err := f.waitInit(10 * time.Second); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	start := time.Now()
	for i := range b.o.invocations {
		if _, err := f.invoke(ctx, event); err != nil {
			return fmt.Errorf("invocation %d: %w", i+1, err)
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
	s.row("RSS now (VmRSS)", mib(current), "")
	s.row("time per invocation through the Runtime API (with its publish)", ms(elapsed/time.Duration(b.o.invocations)), "")
	return nil
}
