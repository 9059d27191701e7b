package loadtest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
)

// ChatConfig sizes the chat scenario.
type ChatConfig struct {
	// Clients are WebSocket clients of /chat; the first Senders of them
	// also send. Every client (senders too) must receive every message.
	Clients int
	Senders int // default 1
	// Messages in total, spread evenly over the senders (rounded up).
	Messages int
	// Rate is messages per second, all senders together; 0: each sender
	// writes as fast as its connection takes them.
	Rate float64
	// Idle ends the wait for deliveries when nothing arrived for that long
	// after the last send; default 30s.
	Idle time.Duration
	// Drop, when set, cuts a random receiving client's connection every
	// Drop while the senders send; it reconnects and resumes by itself.
	Drop time.Duration
	// Scenario names the Result; default "chat".
	Scenario string
}

// Chat connects cfg.Clients WebSocket clients to the chat function through
// the proxies, has cfg.Senders of them (each with its own nick) send
// cfg.Messages messages, and checks that every client receives every
// message exactly once, in order per sender, with the sender's nick.
//
// Before sending, a probe message goes round until every client has
// received one: a client gets its welcome when the chat accepts it, a
// moment before the proxy has subscribed it to the room.
func Chat(ctx context.Context, t *Target, cfg ChatConfig) *Result {
	if cfg.Senders <= 0 {
		cfg.Senders = 1
	}
	cfg.Senders = min(cfg.Senders, cfg.Clients)
	if cfg.Idle <= 0 {
		cfg.Idle = 30 * time.Second
	}
	if cfg.Scenario == "" {
		cfg.Scenario = "chat"
	}
	perSender := (cfg.Messages + cfg.Senders - 1) / max(cfg.Senders, 1)
	res := &Result{Scenario: cfg.Scenario, Clients: cfg.Clients, Expected: int64(cfg.Clients) * int64(perSender*cfg.Senders)}
	if cfg.Clients <= 0 || perSender <= 0 {
		return res
	}
	run := newRunID()
	errs := &errorLog{}
	progress := &atomic.Int64{}
	var stopping atomic.Bool
	var foreign atomic.Int64

	clients := make([]*chatClient, cfg.Clients)
	for i := range clients {
		clients[i] = &chatClient{i: i, url: wsURL(t.proxy(i), "/chat"), tr: newTracker(cfg.Senders, perSender, progress),
			welcome: make(chan struct{}), nickAck: make(chan struct{}), done: make(chan struct{})}
	}
	cr := chatRun{id: run, errs: errs, stopping: &stopping, foreign: &foreign}
	// Connect, a few at a time: the proxy opens each through the function.
	start := time.Now()
	eachLimited(cfg.Clients, 16, func(i int) {
		c := clients[i]
		conn, err := c.dial(ctx)
		if err != nil {
			errs.add("client %d: dial %s: %v", i, c.url, err)
			close(c.done)
			return
		}
		go c.run(ctx, conn, cr)
		select {
		case <-c.welcome:
		case <-time.After(15 * time.Second):
			errs.add("client %d: no welcome within 15s", i)
		case <-ctx.Done():
		}
	})
	t.progress("%s: %d clients connected in %v", cfg.Scenario, cfg.Clients, time.Since(start).Round(time.Millisecond))

	senders := clients[:cfg.Senders]
	for src, c := range senders {
		if c.current() == nil {
			continue
		}
		if err := c.current().Write(ctx, websocket.MessageText, []byte("/nick "+senderNick(src))); err != nil {
			errs.add("sender %d: /nick: %v", src, err)
			continue
		}
		select {
		case <-c.nickAck:
		case <-time.After(10 * time.Second):
			errs.add("sender %d: /nick not acknowledged within 10s", src)
		case <-ctx.Done():
		}
	}

	probes := chatBarrier(ctx, clients, run, errs)
	t.progress("%s: every client subscribed (%d probes)", cfg.Scenario, probes)

	// Send, each sender its share in order, paced together at cfg.Rate.
	start = time.Now()
	var written atomic.Int64
	var wg sync.WaitGroup
	sending, stopDrops := context.WithCancel(ctx)
	drops := make(chan int64, 1)
	go func() { drops <- dropClients(sending, clients[cfg.Senders:], cfg.Drop) }()
	for src, c := range senders {
		if c.current() == nil {
			continue
		}
		wg.Go(func() {
			p := newPacer(cfg.Rate / float64(cfg.Senders))
			for seq := range perSender {
				if !p.wait(ctx.Done()) {
					return
				}
				text := formatMessage(run, src, seq, time.Now())
				if err := c.current().Write(ctx, websocket.MessageText, []byte(text)); err != nil {
					errs.add("sender %d: write message %d: %v", src, seq, err)
					return
				}
				written.Add(1)
			}
		})
	}
	wg.Wait()
	stopDrops()
	dropped := <-drops
	sent := time.Since(start)
	t.progress("%s: %d messages sent in %v; waiting for deliveries", cfg.Scenario, perSender*cfg.Senders, sent.Round(time.Millisecond))

	if written.Load() > 0 {
		waitDelivered(ctx, progress, res.Expected, cfg.Idle)
	}
	res.Duration = time.Since(start)
	stopping.Store(true)
	closeChat(clients)
	for _, c := range clients {
		if c.tr.unexpected > 0 {
			errs.add("client %d: %d messages from outside the run", c.i, c.tr.unexpected)
		}
	}
	trackers := make([]*tracker, len(clients))
	for i, c := range clients {
		trackers[i] = c.tr
	}
	summarize(res, trackers, errs)
	res.Notes = append(res.Notes,
		fmt.Sprintf("%d senders sent %d messages in %v (%.0f/s)", cfg.Senders, perSender*cfg.Senders, sent.Round(time.Millisecond), float64(perSender*cfg.Senders)/sent.Seconds()),
		fmt.Sprintf("%d probes until every client was subscribed", probes))
	var resumes, dups int64
	for _, c := range clients {
		resumes += c.resumes.Load()
		dups += c.dropped.Load()
	}
	if dropped > 0 || resumes > 0 || dups > 0 {
		res.Notes = append(res.Notes, fmt.Sprintf("%d connections cut by the test; clients reconnected %d times with their last id, and dropped %d messages they had by id", dropped, resumes, dups))
	}
	if n := foreign.Load(); n > 0 {
		res.Notes = append(res.Notes, fmt.Sprintf("%d messages of other chat users ignored", n))
	}
	return res
}

// closeChat closes every connection cleanly (the chat answers each
// CLOSE through the proxy), 50 at a time, and after 10s abruptly; then it
// waits for the readers.
func closeChat(clients []*chatClient) {
	deadline := time.Now().Add(10 * time.Second)
	eachLimited(len(clients), 50, func(i int) {
		c := clients[i].current()
		if c == nil {
			return
		}
		if time.Now().After(deadline) {
			_ = c.CloseNow()
			return
		}
		closed := make(chan struct{})
		go func() {
			defer close(closed)
			_ = c.Close(websocket.StatusNormalClosure, "load test done")
		}()
		select {
		case <-closed:
		case <-time.After(time.Until(deadline)):
			_ = c.CloseNow()
		}
	})
	for _, c := range clients {
		<-c.done
	}
}

func senderNick(src int) string { return "s" + strconv.Itoa(src) }

// chatBarrier has client 0 send probes until every connected client has
// received one (at most 50, 200ms apart), and returns how many it sent.
func chatBarrier(ctx context.Context, clients []*chatClient, run string, errs *errorLog) int {
	if clients[0].current() == nil {
		return 0
	}
	waiting := func() int {
		n := 0
		for _, c := range clients {
			if c.current() != nil && !c.probed.Load() {
				n++
			}
		}
		return n
	}
	for k := 1; k <= 50; k++ {
		if err := clients[0].current().Write(ctx, websocket.MessageText, []byte("P "+run+" "+strconv.Itoa(k))); err != nil {
			errs.add("probe %d: %v", k, err)
			return k
		}
		deadline := time.Now().Add(200 * time.Millisecond)
		for waiting() > 0 && time.Now().Before(deadline) && ctx.Err() == nil {
			time.Sleep(5 * time.Millisecond)
		}
		if waiting() == 0 {
			return k
		}
	}
	errs.add("%d clients received none of 50 probes: not subscribed", waiting())
	return 50
}

// dropClients cuts a random client's connection every every until ctx
// ends, as a network change does, and returns how many it cut; every 0
// cuts none.
func dropClients(ctx context.Context, clients []*chatClient, every time.Duration) int64 {
	if len(clients) == 0 {
		return 0
	}
	return repeat(ctx, every, func() bool {
		conn := clients[rand.N(len(clients))].current()
		return conn != nil && conn.CloseNow() == nil
	})
}

// repeat calls cut every every until ctx ends and returns how many calls
// reported a cut; every 0 calls it never.
func repeat(ctx context.Context, every time.Duration, cut func() bool) int64 {
	if every <= 0 {
		return 0
	}
	var n int64
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return n
		case <-tick.C:
		}
		if cut() {
			n++
		}
	}
}
