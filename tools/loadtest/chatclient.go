package loadtest

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
)

// chatFrame is what the chat sends (internal/feed.Frame):
// {"type":"message","id","from","text"} from a user or the publish
// function, {"type":"notice","code","text","last_id"} from the chat itself.
type chatFrame struct {
	Type   string `json:"type"`
	ID     string `json:"id"`
	Code   string `json:"code"`
	From   string `json:"from"`
	Text   string `json:"text"`
	LastID string `json:"last_id"`
}

// decodeChatFrame decodes a chat frame; anything else is a zero frame.
func decodeChatFrame(data []byte) chatFrame {
	var f chatFrame
	if json.Unmarshal(data, &f) != nil {
		return chatFrame{}
	}
	return f
}

// chatClient is one WebSocket client of the chat, resuming as the page
// does (functions/chat/replay.go): it shows messages in id order, drops an
// id it has, asks "/since <last>" for a hole, and reconnects after a lost
// connection with ?last_id=<last>, backing off with jitter.
type chatClient struct {
	i       int
	url     string // the chat's WebSocket URL through the client's proxy
	tr      *tracker
	welcome chan struct{} // closed at the first welcome
	nickAck chan struct{} // closed at the nick-changed notice
	probed  atomic.Bool   // a probe of this run arrived: subscribed
	done    chan struct{} // the reader has returned

	mu      sync.Mutex
	conn    *websocket.Conn
	last    uint64               // the id of the last message shown; 0 before the first welcome
	pending map[uint64]chatFrame // messages after a hole, until it is filled
	asked   bool                 // a /since for the hole is on its way

	resumes, dropped atomic.Int64 // reconnections, duplicate ids dropped
}

// current is the client's connection now (nil before it connected).
func (c *chatClient) current() *websocket.Conn {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.conn
}

// dial connects, with ?last_id= once the client has one.
func (c *chatClient) dial(ctx context.Context) (*websocket.Conn, error) {
	u := c.url
	c.mu.Lock()
	if c.last > 0 {
		u += "?" + url.Values{"last_id": {strconv.FormatUint(c.last, 10)}}.Encode()
	}
	c.mu.Unlock()
	dctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(dctx, u, nil)
	if err != nil {
		return nil, err
	}
	conn.SetReadLimit(1 << 20)
	c.mu.Lock()
	c.conn, c.pending, c.asked = conn, nil, false
	c.mu.Unlock()
	return conn, nil
}

// chatRun is what a client's reader shares with the scenario.
type chatRun struct {
	id       string
	errs     *errorLog
	stopping *atomic.Bool
	foreign  *atomic.Int64
}

// run reads until the scenario stops, reconnecting when the connection is
// lost (after 200 ms, doubling to 3 s, each wait between half and all of it).
func (c *chatClient) run(ctx context.Context, conn *websocket.Conn, r chatRun) {
	defer close(c.done)
	backoff := 200 * time.Millisecond
	for {
		sinceTimer := time.AfterFunc(time.Second, func() { c.askSince(ctx, conn, true) })
		err := c.read(ctx, conn, r)
		sinceTimer.Stop()
		if r.stopping.Load() || ctx.Err() != nil {
			return
		}
		_ = err // a lost connection is what this client is built to survive
		for {
			time.Sleep(backoff/2 + rand.N(backoff/2))
			backoff = min(2*backoff, 3*time.Second)
			if r.stopping.Load() || ctx.Err() != nil {
				return
			}
			var derr error
			if conn, derr = c.dial(ctx); derr == nil {
				c.resumes.Add(1)
				backoff = 200 * time.Millisecond
				break
			}
		}
	}
}

// askSince sends "/since <last>"; once after connecting (always: a message
// published while the proxy subscribed the connection has nothing after it
// to show the hole), or for a hole (at most one on its way).
func (c *chatClient) askSince(ctx context.Context, conn *websocket.Conn, always bool) {
	c.mu.Lock()
	if c.last == 0 || (!always && c.asked) || conn != c.conn {
		c.mu.Unlock()
		return
	}
	c.asked = true
	cmd := "/since " + strconv.FormatUint(c.last, 10)
	c.mu.Unlock()
	_ = conn.Write(ctx, websocket.MessageText, []byte(cmd)) // a failed write is a lost connection, seen by read
}

// read takes the frames of one connection until it ends.
func (c *chatClient) read(ctx context.Context, conn *websocket.Conn, r chatRun) error {
	for {
		_, data, err := conn.Read(context.Background())
		if err != nil {
			return err
		}
		at := time.Now()
		f := decodeChatFrame(data)
		switch {
		case f.Type == "notice":
			c.notice(ctx, conn, f, r)
		case f.Type == "message" && f.ID != "":
			c.message(ctx, conn, f, at, r)
		case f.Type == "message":
			r.errs.add("client %d: a message without an id (is the chat's history off?): %.80q", c.i, data)
		default:
			r.errs.add("client %d: unexpected frame %.80q", c.i, data)
		}
	}
}

// notice handles the chat's notices: those that move the client in the
// history carry the id it is at.
func (c *chatClient) notice(ctx context.Context, conn *websocket.Conn, f chatFrame, r chatRun) {
	at, _ := strconv.ParseUint(f.LastID, 10, 64)
	switch f.Code {
	case "welcome":
		c.mu.Lock()
		if c.last == 0 {
			c.last = at
		}
		c.mu.Unlock()
		select {
		case <-c.welcome:
		default:
			close(c.welcome)
		}
	case "nick-changed":
		select {
		case <-c.nickAck:
		default:
			close(c.nickAck)
		}
	case "more":
		c.mu.Lock()
		c.asked = false
		c.mu.Unlock()
		c.askSince(ctx, conn, false)
	default:
		// history-gap is loss the client is told of: counted, never skipped silently.
		r.errs.add("client %d: the chat answered %s: %.80q", c.i, f.Code, f.Text)
	}
}

// message shows f when it is the next id, keeps it when it follows a hole
// (and asks for the hole), and drops an id the client has.
func (c *chatClient) message(ctx context.Context, conn *websocket.Conn, f chatFrame, at time.Time, r chatRun) {
	id, err := strconv.ParseUint(f.ID, 10, 64)
	if err != nil {
		r.errs.add("client %d: message id %q", c.i, f.ID)
		return
	}
	c.mu.Lock()
	var show []chatFrame
	switch {
	case id <= c.last:
		c.dropped.Add(1)
	case id == c.last+1 || c.last == 0:
		show = append(show, f)
		c.last = id
		for {
			next, ok := c.pending[c.last+1]
			if !ok {
				break
			}
			delete(c.pending, c.last+1)
			show = append(show, next)
			c.last++
		}
		if len(c.pending) == 0 {
			c.asked = false
		}
	default:
		if c.pending == nil {
			c.pending = map[uint64]chatFrame{}
		}
		c.pending[id] = f
	}
	hole := len(c.pending) > 0
	c.mu.Unlock()
	for _, m := range show {
		c.show(m, at, r)
	}
	if hole {
		c.askSince(ctx, conn, false)
	}
}

// show counts one message as the user sees it.
func (c *chatClient) show(f chatFrame, at time.Time, r chatRun) {
	if strings.HasPrefix(f.Text, "P "+r.id+" ") {
		c.probed.Store(true)
		return
	}
	m, ok := parseMessage(f.Text)
	if !ok || m.run != r.id {
		r.foreign.Add(1)
		return
	}
	if !c.tr.record(m, at) {
		return // counted as unexpected
	}
	if f.From != senderNick(m.src) {
		r.errs.add("client %d: message %d of sender %d came from %q", c.i, m.seq, m.src, f.From)
	}
}
