package loadtest

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// StreamConfig sizes the stream scenario.
type StreamConfig struct {
	// Clients hold GET /stream through the proxies; every other one asks
	// for Server-Sent Events, the others for plain text.
	Clients int
	// Items are published in batches of Batch (default 10) per publish.
	Items, Batch int
	// Rate is items per second; 0: each publish as soon as the last returned.
	Rate float64
	// Idle ends the wait for deliveries when nothing arrived for that long
	// after the last publish; default 30s.
	Idle     time.Duration
	Scenario string // default "stream"
}

// streamClient is one held stream and what it received.
type streamClient struct {
	i      int
	sse    bool
	tr     *tracker
	ready  chan struct{} // closed at the stream's first line
	done   chan struct{}
	lastID int // SSE: the last event id
}

// Stream opens cfg.Clients streams on a fresh channel (half plain text,
// half SSE), publishes cfg.Items items through t.Publish, and checks that
// every stream receives every item exactly once and in order (SSE event
// ids increasing too).
func Stream(ctx context.Context, t *Target, cfg StreamConfig) *Result {
	if cfg.Batch <= 0 {
		cfg.Batch = 10
	}
	if cfg.Idle <= 0 {
		cfg.Idle = 30 * time.Second
	}
	if cfg.Scenario == "" {
		cfg.Scenario = "stream"
	}
	res := &Result{Scenario: cfg.Scenario, Clients: cfg.Clients, Expected: int64(cfg.Clients) * int64(cfg.Items)}
	if cfg.Clients <= 0 || cfg.Items <= 0 {
		return res
	}
	run := newRunID()
	channel := "load-stream-" + run
	errs := &errorLog{}
	progress := &atomic.Int64{}
	var stopping atomic.Bool
	client := t.httpClient()

	cctx, stop := context.WithCancel(ctx) // ends every stream
	clients := make([]*streamClient, cfg.Clients)
	for i := range clients {
		clients[i] = &streamClient{i: i, sse: i%2 == 1, tr: newTracker(1, cfg.Items, progress),
			ready: make(chan struct{}), done: make(chan struct{})}
	}
	defer func() {
		stopping.Store(true)
		stop()
		for _, c := range clients {
			<-c.done
		}
	}()

	start := time.Now()
	eachLimited(cfg.Clients, 32, func(i int) {
		c := clients[i]
		u := t.proxy(i) + "/stream?channel=" + url.QueryEscape(channel)
		req, err := http.NewRequestWithContext(cctx, http.MethodGet, u, nil)
		if err != nil {
			errs.add("client %d: %v", i, err)
			close(c.done)
			return
		}
		if c.sse {
			req.Header.Set("Accept", "text/event-stream")
		}
		go c.read(client, req, run, errs, &stopping)
		select {
		case <-c.ready:
		case <-c.done:
		case <-time.After(15 * time.Second):
			errs.add("client %d: the stream did not open within 15s", i)
		case <-ctx.Done():
		}
	})
	t.progress("%s: %d streams open in %v (channel %s)", cfg.Scenario, cfg.Clients, time.Since(start).Round(time.Millisecond), channel)

	start = time.Now()
	publishes := 0
	p := newPacer(cfg.Rate / float64(cfg.Batch))
	for first := 0; first < cfg.Items; first += cfg.Batch {
		if !p.wait(ctx.Done()) {
			break
		}
		texts := make([]string, 0, cfg.Batch)
		now := time.Now()
		for seq := first; seq < min(first+cfg.Batch, cfg.Items); seq++ {
			texts = append(texts, formatMessage(run, 0, seq, now))
		}
		if err := t.Publish(ctx, channel, texts); err != nil {
			errs.add("publish of items %d-%d: %v", first, first+len(texts)-1, err)
			continue
		}
		publishes++
	}
	sent := time.Since(start)
	t.progress("%s: %d items published in %v; waiting for deliveries", cfg.Scenario, cfg.Items, sent.Round(time.Millisecond))

	if publishes > 0 {
		waitDelivered(ctx, progress, res.Expected, cfg.Idle)
	}
	res.Duration = time.Since(start)
	stopping.Store(true)
	stop()
	trackers := make([]*tracker, len(clients))
	for i, c := range clients {
		<-c.done
		trackers[i] = c.tr
		if c.tr.unexpected > 0 {
			errs.add("client %d: %d items from outside the run", c.i, c.tr.unexpected)
		}
	}
	client.CloseIdleConnections()
	summarize(res, trackers, errs)
	res.Notes = append(res.Notes, fmt.Sprintf("%d items in %d publishes through the publish function in %v; %d plain and %d SSE clients",
		cfg.Items, publishes, sent.Round(time.Millisecond), cfg.Clients-cfg.Clients/2, cfg.Clients/2))
	return res
}

// read opens the stream and takes its lines until it ends.
func (c *streamClient) read(client *http.Client, req *http.Request, run string, errs *errorLog, stopping *atomic.Bool) {
	defer close(c.done)
	resp, err := client.Do(req)
	if err != nil {
		if !stopping.Load() {
			errs.add("client %d: %v", c.i, err)
		}
		return
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		errs.add("client %d: status %d", c.i, resp.StatusCode)
		return
	}
	r := bufio.NewReaderSize(resp.Body, 16<<10)
	opened := false
	var id, event string
	var data []string
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			if !stopping.Load() {
				errs.add("client %d: stream ended: %v", c.i, err)
			}
			return
		}
		at := time.Now()
		line = strings.TrimSuffix(line, "\n")
		if !c.sse {
			switch {
			case line == "": // keep-alive
			case !opened && strings.HasPrefix(line, "streaming "):
				opened = true
				close(c.ready)
			default:
				c.take(line, at, run, errs)
			}
			continue
		}
		// Server-Sent Events: fields until a blank line ends the event.
		switch {
		case strings.HasPrefix(line, ":"): // comment (keep-alive)
		case line == "":
			switch {
			case event == "open" && !opened:
				opened = true
				close(c.ready)
			case event == "message":
				c.checkID(id, errs)
				c.take(strings.Join(data, "\n"), at, run, errs)
			case event != "" || len(data) > 0:
				errs.add("client %d: unexpected event %q", c.i, event)
			}
			id, event, data = "", "", nil
		case strings.HasPrefix(line, "id: "):
			id = strings.TrimPrefix(line, "id: ")
		case strings.HasPrefix(line, "event: "):
			event = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			data = append(data, strings.TrimPrefix(line, "data: "))
		default:
			errs.add("client %d: unexpected SSE line %.80q", c.i, line)
		}
	}
}

// take records one item's text.
func (c *streamClient) take(text string, at time.Time, run string, errs *errorLog) {
	m, ok := parseMessage(text)
	if !ok || m.run != run {
		errs.add("client %d: unexpected line %.80q", c.i, text)
		return
	}
	c.tr.record(m, at)
}

// checkID: SSE event ids (from the channel history) must increase.
func (c *streamClient) checkID(id string, errs *errorLog) {
	n, err := strconv.Atoi(id)
	if err != nil {
		errs.add("client %d: SSE event without a numeric id (%q)", c.i, id)
		return
	}
	if n <= c.lastID {
		errs.add("client %d: SSE id %d after %d", c.i, n, c.lastID)
	}
	c.lastID = n
}
