package loadtest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// LongpollConfig sizes the long-poll scenario.
type LongpollConfig struct {
	// Clients long-poll GET /longpoll through the proxies, each again with
	// its last id as soon as it has an answer.
	Clients int
	// Items are published one per publish, Rate per second (default 5).
	Items int
	Rate  float64
	// Idle ends the wait for deliveries when nothing arrived for that long
	// after the last publish; default 30s. Keep it above the function's
	// hold timeout (LONGPOLL_TIMEOUT).
	Idle time.Duration
	// Drop, when set, cuts a random client's poll every Drop while items
	// are published; the client polls again with its last id.
	Drop     time.Duration
	Scenario string // default "longpoll"
}

// poll is the long-poll response body (internal/feed.Poll).
type poll struct {
	Channel  string `json:"channel"`
	Messages []struct {
		ID   string `json:"id"`
		Text string `json:"text"`
	} `json:"messages"`
	LastID string `json:"last_id"`
	Gap    bool   `json:"gap"`
}

// pollCounts are how the polls of all clients were answered.
type pollCounts struct {
	polls, one, several, empty atomic.Int64
}

// Longpoll has cfg.Clients clients long-poll a fresh channel, waits until
// the function has answered every first poll (Pushpin then holds them),
// publishes cfg.Items items through t.Publish, and checks that every client
// receives every item exactly once and in order: released by a publish, or
// caught up from the channel history when it polls again with its last id.
func Longpoll(ctx context.Context, t *Target, cfg LongpollConfig) *Result {
	if cfg.Rate <= 0 {
		cfg.Rate = 5
	}
	if cfg.Idle <= 0 {
		cfg.Idle = 30 * time.Second
	}
	if cfg.Scenario == "" {
		cfg.Scenario = "longpoll"
	}
	// A poll is released within a second of a publish, or answered at
	// once when it is behind (the release checks see to the rest).
	res := &Result{Scenario: cfg.Scenario, Clients: cfg.Clients, Expected: int64(cfg.Clients) * int64(cfg.Items), P99Budget: time.Second}
	if cfg.Clients <= 0 || cfg.Items <= 0 {
		return res
	}
	run := newRunID()
	channel := "load-poll-" + run
	errs, retries := &errorLog{}, &errorLog{}
	progress := &atomic.Int64{}
	counts := &pollCounts{}
	client := t.httpClient()

	// One item before the clients come: their first poll is held after it
	// (prev-id set), so an item published before Pushpin holds a poll
	// cannot slip past it.
	if err := t.Publish(ctx, channel, []string{"seed"}); err != nil {
		errs.add("seed publish: %v", err)
	}

	cctx, stop := context.WithCancel(ctx)
	defer stop()
	var before int64
	if t.Requests != nil {
		before = t.Requests("LongpollFunction")
	}
	trackers := make([]*tracker, cfg.Clients)
	states := make([]pollState, cfg.Clients)
	done := make([]chan struct{}, cfg.Clients)
	for i := range trackers {
		trackers[i] = newTracker(1, cfg.Items, progress)
		done[i] = make(chan struct{})
		go func() {
			defer close(done[i])
			pollLoop(cctx, client, t.proxy(i), channel, run, i, trackers[i], errs, retries, counts, &states[i])
		}()
	}
	defer func() {
		stop()
		for _, d := range done {
			<-d
		}
	}()

	// Every first poll answered (held) by the function, then a moment for
	// Pushpin to subscribe the last of them.
	start := time.Now()
	if t.Requests != nil {
		for t.Requests("LongpollFunction") < before+int64(cfg.Clients) && time.Since(start) < 30*time.Second && ctx.Err() == nil {
			time.Sleep(10 * time.Millisecond)
		}
		time.Sleep(300 * time.Millisecond)
	} else {
		time.Sleep(2*time.Second + time.Duration(cfg.Clients)*5*time.Millisecond)
	}
	t.progress("%s: %d polls held in %v (channel %s)", cfg.Scenario, cfg.Clients, time.Since(start).Round(time.Millisecond), channel)

	start = time.Now()
	published := 0
	publishing, stopDrops := context.WithCancel(ctx)
	drops := make(chan int64, 1)
	go func() { drops <- cutPolls(publishing, states, cfg.Drop) }()
	p := newPacer(cfg.Rate)
	for seq := range cfg.Items {
		if !p.wait(ctx.Done()) {
			break
		}
		if err := t.Publish(ctx, channel, []string{formatMessage(run, 0, seq, time.Now())}); err != nil {
			errs.add("publish of item %d: %v", seq, err)
			continue
		}
		published++
	}
	stopDrops()
	cut := <-drops
	sent := time.Since(start)
	t.progress("%s: %d items published in %v; waiting for deliveries", cfg.Scenario, cfg.Items, sent.Round(time.Millisecond))

	if published > 0 && !waitDelivered(ctx, progress, res.Expected, cfg.Idle) {
		res.Notes = append(res.Notes, stuckPolls(states, trackers))
	}
	res.Duration = time.Since(start)
	stop()
	invocations := ""
	if t.Requests != nil {
		invocations = fmt.Sprintf("; the long-poll function ran %d times for them", t.Requests("LongpollFunction")-before)
	}
	for i, d := range done {
		<-d
		if trackers[i].unexpected > 0 {
			errs.add("client %d: %d items from outside the run", i, trackers[i].unexpected)
		}
	}
	client.CloseIdleConnections()
	summarize(res, trackers, errs)
	retries.mu.Lock()
	res.Retried, res.RetrySamples = retries.n, slices.Clone(retries.samples)
	retries.mu.Unlock()
	res.Notes = append(res.Notes,
		fmt.Sprintf("%d items, one per publish through the publish function, in %v", cfg.Items, sent.Round(time.Millisecond)),
		fmt.Sprintf("%d polls answered: %d with one item, %d with several (caught up from the history), %d empty (hold timed out)%s",
			counts.polls.Load(), counts.one.Load(), counts.several.Load(), counts.empty.Load(), invocations))
	if n := counts.empty.Load(); n > 0 && time.Duration(float64(time.Second)/cfg.Rate) < cfg.Idle/2 {
		res.Notes = append(res.Notes, fmt.Sprintf("%d held polls saw no release although items came every %v: the proxy missed their release; they caught up from the history when they polled again after the hold timeout",
			n, time.Duration(float64(time.Second)/cfg.Rate).Round(time.Millisecond)))
	}
	if cut > 0 {
		res.Notes = append(res.Notes, fmt.Sprintf("%d polls cut by the test; each client polled again with its last id", cut))
	}
	if res.Retried > 0 {
		why := slices.Clone(res.RetrySamples)
		slices.Sort(why)
		res.Notes = append(res.Notes, fmt.Sprintf("%d polls were made again after %s", res.Retried, strings.Join(slices.Compact(why), "; ")))
	}
	return res
}

// pollLoop polls until the client has every item or ctx ends.
func pollLoop(ctx context.Context, client *http.Client, proxy, channel, run string, i int, tr *tracker, errs, retries *errorLog, counts *pollCounts, state *pollState) {
	// The channel is fresh and its seed is id 1: a client resumes after it,
	// so a first poll answered after some items (the function is busy)
	// still gets them, where one without last_id would start from the head.
	lastID, lastNum := "1", 1
	failures := 0
	for !tr.complete() && ctx.Err() == nil {
		pctx, cut := context.WithCancel(ctx)
		state.set(lastID, cut)
		p, err := longpoll(pctx, client, proxy, channel, lastID)
		cut()
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			if pctx.Err() != nil { // cut by the test: poll again, as after a network change
				time.Sleep(rand.N(100 * time.Millisecond))
				continue
			}
			var retry *retryableError
			if !errors.As(err, &retry) {
				errs.add("client %d: %v", i, err)
				return
			}
			// Poll again with the same last id, as a client does after a
			// proxy error: nothing is lost, and it is reported apart.
			if failures++; failures >= 20 {
				errs.add("client %d: gave up after %d failed polls in a row: %v", i, failures, err)
				return
			}
			retries.add("%v", err)
			time.Sleep(time.Duration(failures) * 50 * time.Millisecond)
			continue
		}
		failures = 0
		at := time.Now()
		counts.polls.Add(1)
		switch len(p.Messages) {
		case 0:
			counts.empty.Add(1)
		case 1:
			counts.one.Add(1)
		default:
			counts.several.Add(1)
		}
		if p.Gap {
			errs.add("client %d: gap after id %s", i, lastID)
		}
		for _, msg := range p.Messages {
			n, err := strconv.Atoi(msg.ID)
			if err != nil || n <= lastNum && lastID != "" {
				errs.add("client %d: message id %q after %q", i, msg.ID, lastID)
			}
			lastNum = n
			m, ok := parseMessage(msg.Text)
			if !ok || m.run != run {
				errs.add("client %d: unexpected message %.80q", i, msg.Text)
				continue
			}
			tr.record(m, at)
		}
		if p.LastID != "" {
			lastID = p.LastID
		}
		state.answered(p)
	}
}

// retryableError is a failed poll that a client makes again: no answer, or
// a 5xx.
type retryableError struct{ err error }

func (e *retryableError) Error() string { return e.err.Error() }

// longpoll makes one poll and decodes its answer.
func longpoll(ctx context.Context, client *http.Client, proxy, channel, lastID string) (*poll, error) {
	q := url.Values{"channel": {channel}}
	if lastID != "" {
		q.Set("last_id", lastID)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, proxy+"/longpoll?"+q.Encode(), nil)
	if err != nil {
		return nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, &retryableError{err}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, &retryableError{err}
	}
	if resp.StatusCode != http.StatusOK {
		err := fmt.Errorf("status %d: %s", resp.StatusCode, strings.TrimSpace(string(body[:min(len(body), 200)])))
		if resp.StatusCode >= 500 {
			return nil, &retryableError{err}
		}
		return nil, err
	}
	var p poll
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, fmt.Errorf("answer %.200s: %v", body, err)
	}
	return &p, nil
}

// pollState is where a client's poll stands, for the report of clients
// that did not get everything.
type pollState struct {
	mu      sync.Mutex
	lastID  string
	cut     context.CancelFunc // ends the poll in flight
	since   time.Time          // when the poll in flight was made
	answers []string           // the ids of each answer, for a client that missed some
}

func (s *pollState) answered(p *poll) {
	var ids []string
	for _, m := range p.Messages {
		ids = append(ids, m.ID)
	}
	s.mu.Lock()
	s.answers = append(s.answers, "["+strings.Join(ids, ",")+"]->"+p.LastID)
	s.mu.Unlock()
}

func (s *pollState) set(lastID string, cut context.CancelFunc) {
	s.mu.Lock()
	s.lastID, s.cut, s.since = lastID, cut, time.Now()
	s.mu.Unlock()
}

// cutPolls cuts a random client's poll in flight every every until ctx
// ends, and returns how many it cut; every 0 cuts none.
func cutPolls(ctx context.Context, states []pollState, every time.Duration) int64 {
	if len(states) == 0 {
		return 0
	}
	return repeat(ctx, every, func() bool {
		s := &states[rand.N(len(states))]
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.cut != nil {
			s.cut()
		}
		return s.cut != nil
	})
}

// stuckPolls describes the clients still missing items: their last id and
// how long their poll has been in flight.
func stuckPolls(states []pollState, trackers []*tracker) string {
	var stuck []string
	n := 0
	for i := range states {
		if trackers[i].complete() {
			continue
		}
		n++
		if len(stuck) < 5 {
			states[i].mu.Lock()
			stuck = append(stuck, fmt.Sprintf("client %d at last_id %q, its poll made %v ago, answers %s", i, states[i].lastID, time.Since(states[i].since).Round(time.Millisecond), strings.Join(states[i].answers, " ")))
			states[i].mu.Unlock()
		}
	}
	return fmt.Sprintf("%d clients still missing items when deliveries stopped: %s", n, strings.Join(stuck, "; "))
}
