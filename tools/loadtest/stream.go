package loadtest

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
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
	Idle time.Duration
	// Drop, when set, cuts a random client's stream every Drop while items
	// are published; the client opens it again from its last id.
	Drop     time.Duration
	Scenario string // default "stream"
}

// streamClient is one stream client, reopening its stream from the last
// id it has when the stream ends, as EventSource does by itself (with
// Last-Event-ID) and a plain client does with ?last_id=.
type streamClient struct {
	i     int
	url   string
	sse   bool
	tr    *tracker
	ready chan struct{} // closed at the stream's first line
	done  chan struct{}
	// lastID is the id of the last message: the SSE event's, or for plain
	// lines (they carry none) their count, since the run's channel is
	// fresh and numbered 1, 2, ... in publish order.
	lastID      int
	lastEventID string // SSE: the id EventSource would send as Last-Event-ID
	resumes     atomic.Int64

	mu  sync.Mutex
	cut context.CancelFunc // ends the stream open now
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
			url:   t.proxy(i) + "/stream?channel=" + url.QueryEscape(channel),
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
		go c.run(cctx, client, run, errs, &stopping)
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
	publishing, stopDrops := context.WithCancel(ctx)
	drops := make(chan int64, 1)
	go func() {
		drops <- repeat(publishing, cfg.Drop, func() bool { return clients[rand.N(len(clients))].cutNow() })
	}()
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
	stopDrops()
	cut := <-drops
	sent := time.Since(start)
	t.progress("%s: %d items published in %v; waiting for deliveries", cfg.Scenario, cfg.Items, sent.Round(time.Millisecond))

	if publishes > 0 && !waitDelivered(ctx, progress, res.Expected, cfg.Idle) {
		var missing []string
		for _, c := range clients {
			if !c.tr.complete() && len(missing) < 5 {
				var gone []int
				for seq, ok := range c.tr.seen[0] {
					if !ok {
						gone = append(gone, seq)
					}
				}
				missing = append(missing, fmt.Sprintf("client %d (sse %v) at id %d after %d reopenings, %d duplicates, missing seqs %v", c.i, c.sse, c.lastID, c.resumes.Load(), c.tr.dups, gone))
			}
		}
		res.Notes = append(res.Notes, "clients still missing items when deliveries stopped: "+strings.Join(missing, "; "))
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
	var resumes int64
	for _, c := range clients {
		resumes += c.resumes.Load()
	}
	if cut > 0 || resumes > 0 {
		res.Notes = append(res.Notes, fmt.Sprintf("%d streams cut by the test; clients opened their stream again %d times from their last id", cut, resumes))
	}
	return res
}

// cutNow ends the client's open stream, as a network change does.
func (c *streamClient) cutNow() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cut == nil {
		return false
	}
	c.cut()
	return true
}

// run keeps the stream open until ctx ends: when it ends, it is opened
// again from the last id after 200 ms, doubling to 3 s, each wait between
// half and all of it.
func (c *streamClient) run(ctx context.Context, client *http.Client, run string, errs *errorLog, stopping *atomic.Bool) {
	defer close(c.done)
	backoff := 200 * time.Millisecond
	for {
		sctx, cut := context.WithCancel(ctx)
		c.mu.Lock()
		c.cut = cut
		c.mu.Unlock()
		got := c.read(sctx, client, run, errs, stopping)
		cut()
		if stopping.Load() || ctx.Err() != nil {
			return
		}
		if got {
			backoff = 200 * time.Millisecond
		}
		time.Sleep(backoff/2 + rand.N(backoff/2))
		backoff = min(2*backoff, 3*time.Second)
		c.resumes.Add(1)
	}
}

// read opens the stream from the last id and takes its lines until it
// ends; it reports whether the stream opened.
func (c *streamClient) read(ctx context.Context, client *http.Client, run string, errs *errorLog, stopping *atomic.Bool) (opened bool) {
	u := c.url
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		errs.add("client %d: %v", c.i, err)
		return false
	}
	if c.sse {
		req.Header.Set("Accept", "text/event-stream")
		if c.lastEventID != "" {
			req.Header.Set("Last-Event-ID", c.lastEventID)
		}
	} else {
		// A plain stream names no id: the client counts from 0, before the
		// first message of the run's fresh channel.
		req.URL.RawQuery += "&last_id=" + strconv.Itoa(c.lastID)
	}
	resp, err := client.Do(req)
	if err != nil {
		return false // a lost connection: opened again
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		errs.add("client %d: status %d", c.i, resp.StatusCode)
		return false
	}
	r := bufio.NewReaderSize(resp.Body, 16<<10)
	var id, event string
	var data []string
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return opened
		}
		at := time.Now()
		line = strings.TrimSuffix(line, "\n")
		if !c.sse {
			switch {
			case line == "": // keep-alive
			case !opened && strings.HasPrefix(line, "streaming "):
				opened = true
				c.open(line, errs)
			default:
				c.lastID++
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
				if id != "" && c.lastEventID == "" {
					c.lastEventID = id // where a new client starts: EventSource keeps it
				}
				c.open("", errs)
			case event == "message":
				c.checkID(id, errs)
				c.take(strings.Join(data, "\n"), at, run, errs)
			case event == "gap":
				errs.add("client %d: told of a gap after id %d: %.80q", c.i, c.lastID, strings.Join(data, "\n"))
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
		case strings.HasPrefix(line, "retry: "):
		default:
			errs.add("client %d: unexpected SSE line %.80q", c.i, line)
		}
	}
}

// open takes the stream's opening: the first one makes the client ready;
// a plain one saying messages are gone is loss the client is told of.
func (c *streamClient) open(line string, errs *errorLog) {
	if strings.Contains(line, "no longer kept") {
		errs.add("client %d: %.120q", c.i, line)
	}
	select {
	case <-c.ready:
	default:
		close(c.ready)
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
	c.lastID, c.lastEventID = n, id
}
