package loadtest

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
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
	// Scenario names the Result; default "chat".
	Scenario string
}

// chatFrame is what the chat sends: {"type":"message","from","text"} from a
// user, {"type":"notice","code","text"} from the chat itself.
type chatFrame struct {
	Type string `json:"type"`
	Code string `json:"code"`
	From string `json:"from"`
	Text string `json:"text"`
}

// decodeChatFrame decodes a chat frame; anything else is a zero frame.
func decodeChatFrame(data []byte) chatFrame {
	var f chatFrame
	if json.Unmarshal(data, &f) != nil {
		return chatFrame{}
	}
	return f
}

// chatClient is one WebSocket client and what it received.
type chatClient struct {
	i       int
	conn    *websocket.Conn
	tr      *tracker
	welcome chan struct{} // closed at the welcome message
	nickAck chan struct{} // closed at the nick-changed notice
	probed  atomic.Bool   // a probe of this run arrived: subscribed
	done    chan struct{} // the reader has returned
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
		clients[i] = &chatClient{i: i, tr: newTracker(cfg.Senders, perSender, progress),
			welcome: make(chan struct{}), nickAck: make(chan struct{}), done: make(chan struct{})}
	}
	// Connect, a few at a time: the proxy opens each through the function.
	start := time.Now()
	eachLimited(cfg.Clients, 16, func(i int) {
		c := clients[i]
		url := wsURL(t.proxy(i), "/chat")
		dctx, cancel := context.WithTimeout(ctx, 15*time.Second)
		defer cancel()
		conn, _, err := websocket.Dial(dctx, url, nil)
		if err != nil {
			errs.add("client %d: dial %s: %v", i, url, err)
			close(c.done)
			return
		}
		conn.SetReadLimit(1 << 20)
		c.conn = conn
		go c.read(run, errs, &stopping, &foreign)
		select {
		case <-c.welcome:
		case <-dctx.Done():
			errs.add("client %d: no welcome within 15s", i)
		}
	})
	t.progress("%s: %d clients connected in %v", cfg.Scenario, cfg.Clients, time.Since(start).Round(time.Millisecond))

	senders := clients[:cfg.Senders]
	for src, c := range senders {
		if c.conn == nil {
			continue
		}
		if err := c.conn.Write(ctx, websocket.MessageText, []byte("/nick "+senderNick(src))); err != nil {
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
	for src, c := range senders {
		if c.conn == nil {
			continue
		}
		wg.Go(func() {
			p := newPacer(cfg.Rate / float64(cfg.Senders))
			for seq := range perSender {
				if !p.wait(ctx.Done()) {
					return
				}
				text := formatMessage(run, src, seq, time.Now())
				if err := c.conn.Write(ctx, websocket.MessageText, []byte(text)); err != nil {
					errs.add("sender %d: write message %d: %v", src, seq, err)
					return
				}
				written.Add(1)
			}
		})
	}
	wg.Wait()
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
		c := clients[i].conn
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
	if clients[0].conn == nil {
		return 0
	}
	waiting := func() int {
		n := 0
		for _, c := range clients {
			if c.conn != nil && !c.probed.Load() {
				n++
			}
		}
		return n
	}
	for k := 1; k <= 50; k++ {
		if err := clients[0].conn.Write(ctx, websocket.MessageText, []byte("P "+run+" "+strconv.Itoa(k))); err != nil {
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

// read takes every message the client receives until the connection ends.
func (c *chatClient) read(run string, errs *errorLog, stopping *atomic.Bool, foreign *atomic.Int64) {
	defer close(c.done)
	welcomed, acked := false, false
	for {
		_, data, err := c.conn.Read(context.Background())
		if err != nil {
			if !stopping.Load() {
				errs.add("client %d: connection lost: %v", c.i, err)
			}
			return
		}
		at := time.Now()
		text := string(data)
		f := decodeChatFrame(data)
		nick, body, hasNick := f.From, f.Text, f.Type == "message"
		switch {
		case !welcomed && f.Type == "notice" && f.Code == "welcome":
			welcomed = true
			close(c.welcome)
		case !acked && f.Type == "notice" && f.Code == "nick-changed":
			acked = true
			close(c.nickAck)
		case f.Type == "notice":
			errs.add("client %d: the chat answered %q", c.i, text)
		case hasNick && strings.HasPrefix(body, "P "+run+" "):
			c.probed.Store(true)
		case hasNick:
			m, ok := parseMessage(body)
			if !ok || m.run != run {
				foreign.Add(1)
				continue
			}
			if !c.tr.record(m, at) {
				continue // counted as unexpected
			}
			if nick != senderNick(m.src) {
				errs.add("client %d: message %d of sender %d came with nick %q", c.i, m.seq, m.src, nick)
			}
		default:
			errs.add("client %d: unexpected message %.80q", c.i, text)
		}
	}
}
