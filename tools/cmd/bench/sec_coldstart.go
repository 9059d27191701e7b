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
	return coldRun{init: nextAt.Sub(f.started), total: ans.at.Sub(f.started), peak: peak}, nil
}

// coldRuns is the samples of one program: init and total times, peak RSS.
type coldRuns struct {
	init, total []time.Duration
	peak        []int64
}

func (c *coldRuns) add(run coldRun) {
	c.init, c.total, c.peak = append(c.init, run.init), append(c.total, run.total), append(c.peak, run.peak)
}

// coldStarts is (b): each function's cold start against the floor's, one
// start of each in turn on the same event.
func (b *bench) coldStarts(ctx context.Context) error {
	if b.floorBin == "" {
		return errNoFloor
	}
	s := b.r.section(fmt.Sprintf("(b) cold start, host build, through a local Runtime API: median of %d process starts, alternating with the floor's", b.o.runs),
		"function", "exec → first /next", "floor", fmt.Sprintf("ratio (≤ %.2g×)", budgetColdStartRatio),
		"start + one event", "floor", fmt.Sprintf("ratio (≤ %.2g×)", budgetStartOneRatio), "peak RSS after one event (≤ 16 MiB)")
	floor := fnSpec{id: "floor"}
	var floorPeak []int64
	for _, fn := range b.functions {
		if b.hostBins[fn.id] == "" {
			s.row(fn.id+" ("+fn.event+")", "not built, see (c)", "", "", "", "", "", "")
			continue
		}
		event, err := b.event(fn.event)
		if err != nil {
			return err
		}
		var fr, lr coldRuns
		// One pair first, not counted: the first exec of a binary reads it
		// from disk.
		for i := range b.o.runs + 1 {
			run, err := b.coldStart(ctx, fn, b.hostBins[fn.id], event)
			if err != nil {
				return fmt.Errorf("%s: %w", fn.id, err)
			}
			base, err := b.coldStart(ctx, floor, b.floorBin, event)
			if err != nil {
				return fmt.Errorf("the floor on %s: %w", fn.event, err)
			}
			if i > 0 {
				fr.add(run)
				lr.add(base)
			}
		}
		floorPeak = append(floorPeak, lr.peak...)
		s.row(fn.id+" ("+fn.event+")",
			ms(median(fr.init)), ms(median(lr.init)),
			b.r.judgeRatio(fn.id+" cold start / floor", median(fr.init), median(lr.init), budgetColdStartRatio),
			ms(median(fr.total)), ms(median(lr.total)),
			b.r.judgeRatio(fn.id+" start + one event / floor", median(fr.total), median(lr.total), budgetStartOneRatio),
			b.r.judge(fn.id+" RSS after one event", mib(medianInt(fr.peak)), medianInt(fr.peak) <= budgetRSSOne))
	}
	s.note("exec → first /next: from just before exec to the process's first GET /next (init done). The event is queued before exec, as on a cold start, so start + one event is exec → response received.")
	s.note("floor: %s, an empty aws-lambda-go function (lambda.Start of a handler that returns its input) built with the functions' flags, started under the same Runtime API host on the same event; its peak RSS: %s. Ratios are function median / floor median; the times in ms are information, the machine sets them.", floorPackage, mib(medianInt(floorPeak)))
	s.note(nodeColdStart)
	s.note("Environment: Lambda's variables, GRIP_URL (a loopback control endpoint, which the chat and publish functions publish to), nothing else; RSS is VmHWM from /proc/<pid>/status.")
	return nil
}
