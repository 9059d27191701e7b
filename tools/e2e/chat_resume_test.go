package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/faas-grip/faas-grip-go/internal/history"
	"github.com/faas-grip/faas-grip-go/tools/devstack"
)

// resumingClient is a chat client that resumes as the page does: it keeps
// the id of the last message it showed, reconnects with ?last_id=, drops an
// id it has, keeps a message after a hole and asks "/since <last>" for what
// the hole lacks, follows the last_id of welcome and history-gap notices,
// asks again at "more", and asks once shortly after it connects.
type resumingClient struct {
	t        *testing.T
	name     string
	proxyURL string

	mu      sync.Mutex
	conn    *websocket.Conn
	closed  chan struct{} // closed when the current connection's reader ends
	welcome chan struct{}
	last    uint64
	hasLast bool
	pending map[uint64]chatFrame
	shown   []chatFrame // messages, in the order shown
	gaps    []int       // indexes in shown where a history-gap moved the client on
	notices []chatFrame
	dropped int // duplicates dropped
	asked   int // /since sent
	hole    *time.Timer
}

func newResumingClient(t *testing.T, name, proxyURL string) *resumingClient {
	return &resumingClient{t: t, name: name, proxyURL: proxyURL, pending: map[uint64]chatFrame{}}
}

// connect opens a connection, with ?last_id= once the client has shown a
// message, and waits for the welcome.
func (c *resumingClient) connect(ctx context.Context) {
	c.t.Helper()
	u := "ws" + strings.TrimPrefix(c.proxyURL, "http") + "/chat"
	c.mu.Lock()
	if c.hasLast {
		u += "?last_id=" + url.QueryEscape(strconv.FormatUint(c.last, 10))
	}
	c.welcome = make(chan struct{})
	welcome := c.welcome
	c.mu.Unlock()
	conn, _, err := websocket.Dial(ctx, u, nil)
	if err != nil {
		c.t.Fatalf("%s: dial %s: %v", c.name, u, err)
	}
	conn.SetReadLimit(1 << 20)
	closed := make(chan struct{})
	c.mu.Lock()
	c.conn, c.closed = conn, closed
	c.mu.Unlock()
	go func() {
		defer close(closed)
		for {
			_, data, err := conn.Read(context.Background())
			if err != nil {
				return
			}
			c.receive(conn, data)
		}
	}()
	c.t.Cleanup(func() { _ = conn.CloseNow() })
	select {
	case <-welcome:
	case <-time.After(10 * time.Second):
		c.t.Fatalf("%s: no welcome within 10s", c.name)
	}
	time.AfterFunc(300*time.Millisecond, func() { c.mu.Lock(); c.ask(conn); c.mu.Unlock() })
}

// cut drops the connection as a lost network would: no close handshake.
func (c *resumingClient) cut() {
	c.mu.Lock()
	conn, closed := c.conn, c.closed
	c.mu.Unlock()
	_ = conn.CloseNow()
	<-closed
}

// waitCut waits until the proxy ended the connection (it was restarted).
func (c *resumingClient) waitCut() {
	c.t.Helper()
	c.mu.Lock()
	closed := c.closed
	c.mu.Unlock()
	select {
	case <-closed:
	case <-time.After(10 * time.Second):
		c.t.Fatalf("%s: the connection is still open 10s after the proxy stopped", c.name)
	}
}

func (c *resumingClient) send(ctx context.Context, text string) error {
	c.mu.Lock()
	conn := c.conn
	c.mu.Unlock()
	return conn.Write(ctx, websocket.MessageText, []byte(text))
}

func (c *resumingClient) receive(conn *websocket.Conn, data []byte) {
	var f chatFrame
	if json.Unmarshal(data, &f) != nil {
		return // a probe published straight to the proxy
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case f.Type == "notice":
		if f.Code == "welcome" || f.Code == "history-gap" {
			if id, err := strconv.ParseUint(f.LastID, 10, 64); err == nil {
				if f.Code == "history-gap" {
					c.gaps = append(c.gaps, len(c.shown))
				}
				c.last, c.hasLast = id, true
				c.drain(conn)
			}
		}
		if f.Code == "more" {
			c.ask(conn)
		}
		c.notices = append(c.notices, f)
		if f.Code == "welcome" {
			close(c.welcome)
		}
	case f.Type == "message":
		id, err := strconv.ParseUint(f.ID, 10, 64)
		switch {
		case err != nil:
			c.t.Errorf("%s: a message without an id: %s", c.name, data)
		case c.hasLast && id <= c.last:
			c.dropped++
		case c.hasLast && id != c.last+1:
			c.pending[id] = f
			if c.hole == nil {
				c.hole = time.AfterFunc(100*time.Millisecond, func() { c.askAgain(conn) })
			}
		default:
			c.shown = append(c.shown, f)
			c.last, c.hasLast = id, true
			c.drain(conn)
		}
	}
}

// askAgain asks about a hole until it is filled.
func (c *resumingClient) askAgain(conn *websocket.Conn) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.pending) == 0 {
		c.hole = nil
		return
	}
	c.ask(conn)
	c.hole = time.AfterFunc(time.Second, func() { c.askAgain(conn) })
}

func (c *resumingClient) drain(conn *websocket.Conn) {
	for {
		f, ok := c.pending[c.last+1]
		if !ok {
			break
		}
		delete(c.pending, c.last+1)
		c.shown = append(c.shown, f)
		c.last++
	}
	for id := range c.pending {
		if id <= c.last {
			delete(c.pending, id)
		}
	}
}

// ask sends "/since <last>" (c.mu held); the write is bounded, and a
// connection that is gone is asked again by the next one.
func (c *resumingClient) ask(conn *websocket.Conn) {
	if !c.hasLast {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if conn.Write(ctx, websocket.MessageText, []byte("/since "+strconv.FormatUint(c.last, 10))) == nil {
		c.asked++
	}
}

// waitTexts waits until every text was shown.
func (c *resumingClient) waitTexts(texts ...string) {
	c.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		c.mu.Lock()
		var missing []string
		for _, text := range texts {
			if !slices.ContainsFunc(c.shown, func(f chatFrame) bool { return f.Text == text }) {
				missing = append(missing, text)
			}
		}
		c.mu.Unlock()
		if len(missing) == 0 {
			return
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("%s: never shown within 10s: %q", c.name, missing)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// checkExactlyOnce checks what the client showed: consecutive ids (no
// duplicate, no hole, in order; a history-gap notice excepted) and each
// text of every sequence once, in the sequence's order. A sequence is what
// one sender sent: messages of different senders are numbered in the order
// the chat got them, not the order they were written.
func (c *resumingClient) checkExactlyOnce(sequences ...[]string) {
	c.t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	for i := 1; i < len(c.shown); i++ {
		prev, _ := strconv.ParseUint(c.shown[i-1].ID, 10, 64)
		if id, _ := strconv.ParseUint(c.shown[i].ID, 10, 64); id != prev+1 && !slices.Contains(c.gaps, i) {
			c.t.Errorf("%s: showed id %d after %d", c.name, id, prev)
		}
	}
	for _, texts := range sequences {
		c.checkSequence(texts)
	}
	c.t.Logf("%s: %d messages shown in order, %d duplicates dropped, %d /since asked", c.name, len(c.shown), c.dropped, c.asked)
}

func (c *resumingClient) checkSequence(texts []string) {
	c.t.Helper()
	at := -1
	for _, text := range texts {
		n, first := 0, -1
		for i, f := range c.shown {
			if f.Text == text {
				n++
				if first < 0 {
					first = i
				}
			}
		}
		if n != 1 {
			c.t.Errorf("%s: %q shown %d times, want once", c.name, text, n)
		}
		if first < at {
			c.t.Errorf("%s: %q shown before the message sent before it", c.name, text)
		}
		at = first
	}
}

func (c *resumingClient) noticeCodes() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var codes []string
	for _, n := range c.notices {
		codes = append(codes, n.Code)
	}
	return codes
}

// Client A is cut; meanwhile the publish function and client B publish.
// A reconnects with ?last_id= as the page does, while B keeps sending
// across the boundary between A's replay and its live subscription: every
// message arrives once, in order.
func TestChatResume(t *testing.T) {
	needs(t, "ChatFunction", "PublishFunction")
	s := stack(t)
	ctx := testContext(t, time.Minute)
	run := uniqueChannel("resume")
	a := newResumingClient(t, "A", s.ProxyURL())
	a.connect(ctx)
	b := dialChat(t, ctx, "B")
	b.send(ctx, run+" before")
	a.waitTexts(run + " before")

	a.cut()
	fromB := []string{run + " before"}
	var published []string
	for i := 1; i <= 2; i++ {
		b.send(ctx, fmt.Sprintf("%s b%d", run, i))
		b.expect(ctx, chatMessage("anonymous", fmt.Sprintf("%s b%d", run, i)))
		publishVia(t, ctx, s, text("chat", fmt.Sprintf("%s p%d", run, i)))
		fromB = append(fromB, fmt.Sprintf("%s b%d", run, i))
		published = append(published, fmt.Sprintf("%s p%d", run, i))
	}

	// B sends every 20 ms while A reconnects: some of these are published
	// between A's history read and its subscription.
	sent := make(chan error, 1)
	var boundary []string
	for i := 3; i < 13; i++ {
		boundary = append(boundary, fmt.Sprintf("%s b%d", run, i))
	}
	go func() {
		for _, m := range boundary {
			if err := b.conn.Write(ctx, websocket.MessageText, []byte(m)); err != nil {
				sent <- err
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
		sent <- nil
	}()
	a.connect(ctx)
	if err := <-sent; err != nil {
		t.Fatalf("B: %v", err)
	}
	fromB = append(fromB, boundary...)
	publishVia(t, ctx, s, text("chat", run+" after"))
	published = append(published, run+" after")

	a.waitTexts(append(fromB, published...)...)
	a.checkExactlyOnce(fromB, published)
}

// A hole (a message numbered but never received live) is filled by /since
// before the message after it is shown.
func TestChatResumeFillsAHole(t *testing.T) {
	needs(t, "ChatFunction")
	s := stack(t)
	ctx := testContext(t, 30*time.Second)
	run := uniqueChannel("hole")
	store, err := history.NewDirStore(sharedHistory)
	if err != nil {
		t.Fatal(err)
	}
	a := newResumingClient(t, "A", s.ProxyURL())
	a.connect(ctx)
	b := dialChat(t, ctx, "B")
	b.send(ctx, run+" one")
	a.waitTexts(run + " one")

	// In the history, not published: no client gets it live.
	if _, err := store.Append(ctx, "chat", []byte(run+" kept only")); err != nil {
		t.Fatal(err)
	}
	b.send(ctx, run+" three")
	a.waitTexts(run+" kept only", run+" three")
	a.checkExactlyOnce([]string{run + " one", run + " kept only", run + " three"})
}

// Pushpin itself restarts: both clients are cut, a message is published
// while it is down, more once it is back; both resume and get each once.
// Then a client whose last id is older than what the history keeps is told
// so (a history-gap notice) and goes on from what is kept.
func TestChatResumeAfterPushpinRestart(t *testing.T) {
	needs(t, "ChatFunction", "PublishFunction")
	stack(t) // skips when Pushpin is missing
	ctx := testContext(t, 2*time.Minute)
	logs := newLogBuffer()
	dir := t.TempDir()
	s, err := devstack.Start(ctx, devstack.Options{
		Dir:            root,
		Env:            map[string]string{"HISTORY_DIR": dir},
		FunctionOutput: logs,
		PushpinOutput:  logs,
		Logger:         slog.New(slog.NewTextHandler(logs, nil)),
	})
	if err != nil {
		t.Fatalf("starting a stack: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("stopping the stack: %v", err)
		}
		if t.Failed() {
			t.Logf("--- the stack's log (last 32 KiB) ---\n%s", logs.tail(32<<10))
		}
	})
	run := uniqueChannel("restart")
	a := newResumingClient(t, "A", s.ProxyURL())
	b := newResumingClient(t, "B", s.ProxyURL())
	a.connect(ctx)
	b.connect(ctx)
	if err := b.send(ctx, run+" before"); err != nil {
		t.Fatal(err)
	}
	a.waitTexts(run + " before")
	b.waitTexts(run + " before")

	t.Run("Pushpin restarted", func(t *testing.T) {
		if err := s.StopPushpin(0); err != nil {
			t.Fatal(err)
		}
		a.waitCut()
		b.waitCut()
		// Numbered in the history, then refused by the stopped proxy: the
		// publish function fails the invoke, and a retry would keep the id.
		down := `{"messages":[{"channel":"chat","text":"` + run + ` while down","idempotency-key":"` + run + `"}]}`
		if out, err := s.Invoke(ctx, "PublishFunction", []byte(down)); err == nil {
			t.Logf("publish while Pushpin is down answered %s", out)
		}
		if err := s.StartPushpin(ctx, 0); err != nil {
			t.Fatal(err)
		}
		b.connect(ctx)
		if err := b.send(ctx, run+" after restart"); err != nil {
			t.Fatal(err)
		}
		publishVia(t, ctx, s, text("chat", run+" published after"))
		a.connect(ctx)
		// The retry of the message published while down: live, under the
		// id the clients already have.
		if out, err := s.Invoke(ctx, "PublishFunction", []byte(down)); err != nil {
			t.Fatalf("retrying the publish: %v %s", err, out)
		}
		if err := a.send(ctx, run+" last"); err != nil {
			t.Fatal(err)
		}
		fromB := []string{run + " before", run + " after restart"}
		published := []string{run + " while down", run + " published after"}
		for _, c := range []*resumingClient{a, b} {
			c.waitTexts(append(append(fromB, published...), run+" last")...)
			c.checkExactlyOnce(fromB, published, []string{run + " last"})
		}
	})

	// The local history keeps the last HISTORY_MAX_ENTRIES (1000 by
	// default) per channel; appending past it with a store that keeps 50
	// compacts the file to the last 50, as a long absence would.
	t.Run("older than the retention", func(t *testing.T) {
		a.cut()
		store, err := history.NewDirStore(dir, history.WithMaxEntries(50))
		if err != nil {
			t.Fatal(err)
		}
		data := make([][]byte, 100)
		for i := range data {
			data[i] = []byte(fmt.Sprintf("%s filler %d", run, i))
		}
		if _, err := store.Append(ctx, "chat", data...); err != nil {
			t.Fatal(err)
		}
		a.connect(ctx)
		if err := b.send(ctx, run+" after the gap"); err != nil {
			t.Fatal(err)
		}
		a.waitTexts(run+" filler 99", run+" after the gap")
		if codes := a.noticeCodes(); !slices.Contains(codes, "history-gap") {
			t.Errorf("A was not told it missed messages: notices %q", codes)
		}
		a.checkExactlyOnce([]string{run + " filler 50", run + " filler 99", run + " after the gap"})
		a.mu.Lock()
		defer a.mu.Unlock()
		if slices.ContainsFunc(a.shown, func(f chatFrame) bool { return f.Text == run+" filler 0" }) {
			t.Error("A was shown a message the history no longer keeps")
		}
	})
}
