package main

import (
	"bytes"
	"context"
	"fmt"
	"time"
)

// coldRun is one process's life: exec, first /next, one event.
type coldRun struct {
	init  time.Duration // exec -> first /next
	first time.Duration // event handed over -> response
	total time.Duration // exec -> response: start and handle one event
	peak  int64         // VmHWM after the event
}

// coldStart starts bin with event waiting, as Lambda does on a cold start.
func (b *bench) coldStart(ctx context.Context, fn fnSpec, bin string, event []byte) (coldRun, error) {
	env, err := b.functionEnv()
	if err != nil {
		return coldRun{}, err
	}
	f, inv, err := startFunction(bin, env, event)
	if err != nil {
		return coldRun{}, err
	}
	defer f.stop()
	nextAt, err := f.waitInit(10 * time.Second)
	if err != nil {
		return coldRun{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	ans, err := f.wait(ctx, inv)
	if err != nil {
		return coldRun{}, err
	}
	if fn.http && !bytes.Contains(ans.body, []byte(`"statusCode":200`)) {
		return coldRun{}, fmt.Errorf("%s answered %.200s, want status 200", fn.id, ans.body)
	}
	peak, _, err := f.memory()
	if err != nil {
		return coldRun{}, err
	}
	return coldRun{
		init:  nextAt.Sub(f.started),
		first: ans.at.Sub(inv.handed),
		total: ans.at.Sub(f.started),
		peak:  peak,
	}, nil
}

// coldStarts is (b), with (d)'s "start and handle one event" figures.
func (b *bench) coldStarts(ctx context.Context) error {
	s := b.r.section(fmt.Sprintf("(b) cold start, host build, through a local Runtime API: median of %d process starts", b.o.runs),
		"function", "exec → first /next (≤ 15 ms)", "first invocation", "start + one event (≤ 10 ms)", "peak RSS after one event (≤ 16 MiB)")
	for _, fn := range b.functions {
		if b.hostBins[fn.id] == "" {
			s.row(fn.id+" ("+fn.event+")", "not built, see (c)", "", "", "")
			continue
		}
		event, err := b.event(fn.event)
		if err != nil {
			return err
		}
		var init, first, total []time.Duration
		var peak []int64
		for range b.o.runs {
			run, err := b.coldStart(ctx, fn, b.hostBins[fn.id], event)
			if err != nil {
				return fmt.Errorf("%s: %w", fn.id, err)
			}
			init, first, total, peak = append(init, run.init), append(first, run.first), append(total, run.total), append(peak, run.peak)
		}
		s.row(fn.id+" ("+fn.event+")",
			b.r.judge(fn.id+" cold start", ms(median(init)), median(init) <= budgetColdStart),
			ms(median(first)),
			b.r.judge(fn.id+" start + one event", ms(median(total)), median(total) <= budgetStartOne),
			b.r.judge(fn.id+" RSS after one event", mib(medianInt(peak)), medianInt(peak) <= budgetRSSOne))
	}
	s.note("exec → first /next: from just before exec to the process's first GET /next (init done). The event is queued before exec, as on a cold start, so start + one event is exec → response received.")
	s.note("For reference, measured on the same machine class: a Node process that starts, loads faas-grip and handles one event takes about 92 ms and 48 MiB.")
	s.note("Environment: Lambda's variables, GRIP_URL (a loopback control endpoint, which the chat and publish functions publish to), nothing else; RSS is VmHWM from /proc/<pid>/status.")
	return nil
}
