package e2e

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/coder/websocket"
	"github.com/faas-grip/faas-grip-go/tools/devstack"
)

// logBuffer keeps the stack's log for a failing run.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func newLogBuffer() *logBuffer { return &logBuffer{} }

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) tail(n int) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.buf.Bytes()
	if len(s) > n {
		s = s[len(s)-n:]
	}
	return string(s)
}

// uniqueChannel names a channel no other test uses.
func uniqueChannel(prefix string) string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return prefix + "-" + hex.EncodeToString(b[:])
}

// chatClient is a WebSocket client of the chat, connected through Pushpin.
type chatClient struct {
	t    *testing.T
	name string
	conn *websocket.Conn
	msgs chan string
	done chan error // the reader's end
}

// dialChat connects to /chat through Pushpin and waits for the welcome.
func dialChat(t *testing.T, ctx context.Context, name string) *chatClient {
	t.Helper()
	return dialChatThrough(t, ctx, stack(t).ProxyURL(), stack(t).ControlURL(), name)
}

// dialChatThrough is dialChat through the Pushpin at proxyURL, whose control
// API is at controlURL.
func dialChatThrough(t *testing.T, ctx context.Context, proxyURL, controlURL, name string) *chatClient {
	t.Helper()
	return dialChatWith(t, ctx, proxyURL, controlURL, name, nil)
}

// dialChatWith is dialChatThrough with extra handshake headers.
func dialChatWith(t *testing.T, ctx context.Context, proxyURL, controlURL, name string, header http.Header) *chatClient {
	t.Helper()
	return dialChatURL(t, ctx, "ws"+strings.TrimPrefix(proxyURL, "http")+"/chat", controlURL, name, header)
}

// dialChatURL is dialChatWith to the WebSocket URL url (a query included).
func dialChatURL(t *testing.T, ctx context.Context, url, controlURL, name string, header http.Header) *chatClient {
	t.Helper()
	conn, resp, err := websocket.Dial(ctx, url, &websocket.DialOptions{HTTPHeader: header})
	if err != nil {
		t.Fatalf("%s: dial %s: %v", name, url, err)
	}
	if resp.Header.Get("Sec-WebSocket-Extensions") != "" {
		t.Errorf("%s: the GRIP extension leaked to the client: %q", name, resp.Header.Get("Sec-WebSocket-Extensions"))
	}
	conn.SetReadLimit(1 << 20)
	c := &chatClient{t: t, name: name, conn: conn, msgs: make(chan string, 64), done: make(chan error, 1)}
	// The reader has a context of its own: coder/websocket closes the
	// connection when a Read's context ends, and expect waits with timeouts.
	go func() {
		for {
			_, data, err := conn.Read(context.Background())
			if err != nil {
				c.done <- err
				close(c.msgs)
				return
			}
			c.msgs <- string(data)
		}
	}()
	t.Cleanup(func() { _ = conn.CloseNow() })
	c.expectPrefix(ctx, noticePrefix("welcome"))
	waitSubscribed(t, ctx, controlURL, c.msgs)
	return c
}

// waitSubscribed returns once the connection receives what is published to
// the chat channel. Pushpin registers a subscription a few milliseconds after
// it accepts the connection (the welcome can arrive first), so a test that
// sent at once could miss its own broadcast. Probes are published straight to
// the control API; tests skip messages they do not expect.
func waitSubscribed(t *testing.T, ctx context.Context, controlURL string, msgs <-chan string) {
	t.Helper()
	probe := fmt.Sprintf("probe %d", time.Now().UnixNano())
	body := `{"items":[{"channel":"chat","formats":{"ws-message":{"content":"` + probe + `"}}}]}`
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, controlURL+"/publish/", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
		}
		wait := time.After(100 * time.Millisecond)
	drain:
		for {
			select {
			case m, ok := <-msgs:
				if !ok {
					t.Fatal("the connection ended while waiting for its subscription")
				}
				if m == probe {
					return
				}
			case <-wait:
				break drain
			}
		}
	}
	t.Fatal("the chat subscription did not become active within 10s")
}

func (c *chatClient) send(ctx context.Context, text string) {
	c.t.Helper()
	if err := c.conn.Write(ctx, websocket.MessageText, []byte(text)); err != nil {
		c.t.Fatalf("%s: send: %v", c.name, err)
	}
}

// expect waits for the message want (ids aside), skipping others (tests
// share the chat channel), and fails after 10s.
func (c *chatClient) expect(ctx context.Context, want string) {
	c.t.Helper()
	c.waitFor(ctx, want, func(m string) bool { return withoutIDs(m) == want })
}

func (c *chatClient) expectPrefix(ctx context.Context, prefix string) {
	c.t.Helper()
	c.waitFor(ctx, prefix+"...", func(m string) bool { return strings.HasPrefix(m, prefix) })
}

func (c *chatClient) waitFor(ctx context.Context, what string, match func(string) bool) {
	c.t.Helper()
	timeout := time.After(10 * time.Second)
	var skipped []string
	for {
		select {
		case m, ok := <-c.msgs:
			if !ok {
				c.t.Fatalf("%s: connection ended (%v) while waiting for %.80q", c.name, <-c.done, what)
			}
			if match(m) {
				return
			}
			skipped = append(skipped, m)
		case <-timeout:
			c.t.Fatalf("%s: no %.80q within 10s; got %.300q", c.name, what, skipped)
		case <-ctx.Done():
			c.t.Fatalf("%s: %v while waiting for %.80q", c.name, ctx.Err(), what)
		}
	}
}

// streamClient reads an HTTP stream held by Pushpin, line by line.
type streamClient struct {
	t     *testing.T
	lines chan string
}

func openStream(t *testing.T, ctx context.Context, path string, header http.Header) *streamClient {
	t.Helper()
	return openStreamURL(t, ctx, stack(t).ProxyURL()+path, header)
}

// openStreamURL is openStream at a URL of any proxy.
//
// A stream that ends right after its opening line is opened again, once,
// as a client would, and its repeated opening line dropped: Pushpin 1.36
// now and then cancels a stream it has just accepted ("received message
// out of sequence, canceling" in its log), before anything was published.
func openStreamURL(t *testing.T, ctx context.Context, u string, header http.Header) *streamClient {
	t.Helper()
	get := func() (io.ReadCloser, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return nil, err
		}
		for k, v := range header {
			req.Header[k] = v
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return nil, err
		}
		if resp.StatusCode != http.StatusOK {
			resp.Body.Close()
			return nil, fmt.Errorf("GET %s: status %d", u, resp.StatusCode)
		}
		return resp.Body, nil
	}
	body, err := get()
	if err != nil {
		t.Fatal(err)
	}
	s := &streamClient{t: t, lines: make(chan string, 256)}
	// The reader owns the body; the cleanup closes whichever is current.
	var mu sync.Mutex
	current := body
	done := make(chan struct{})
	t.Cleanup(func() {
		close(done)
		mu.Lock()
		current.Close()
		mu.Unlock()
	})
	go func() {
		defer close(s.lines)
		var first string
		seen, reopened := 0, false
		for {
			sc := bufio.NewScanner(body)
			sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
			for sc.Scan() {
				l := sc.Text()
				if l == "" || strings.HasPrefix(l, ":") {
					continue // keep-alives
				}
				seen++
				if seen == 1 {
					first = l
				} else if reopened && seen == 2 && l == first {
					continue // the reopened stream's opening line
				}
				select {
				case s.lines <- l:
				case <-done:
				}
			}
			body.Close()
			if seen > 1 || reopened {
				return
			}
			select {
			case <-done:
				return
			default:
			}
			reopened = true
			next, err := get()
			if err != nil {
				return
			}
			mu.Lock()
			current, body = next, next
			mu.Unlock()
		}
	}()
	return s
}

// tryNext is next without failing: ok is false when the stream ended.
func (s *streamClient) tryNext() (line string, ok bool) {
	s.t.Helper()
	select {
	case l, ok := <-s.lines:
		return l, ok
	case <-time.After(10 * time.Second):
		s.t.Fatal("no line on the stream within 10s")
	}
	return "", false
}

// next returns the next line that is not empty (keep-alives are blank lines
// or SSE comments), failing after 10s.
func (s *streamClient) next() string {
	s.t.Helper()
	select {
	case l, ok := <-s.lines:
		if !ok {
			s.t.Fatal("the stream ended")
		}
		return l
	case <-time.After(10 * time.Second):
		s.t.Fatal("no line on the stream within 10s")
	}
	return ""
}

// publish invokes the publish function directly with messages, as
// `make invoke FN=PublishFunction` does.
func publish(t *testing.T, ctx context.Context, messages ...map[string]string) {
	t.Helper()
	publishVia(t, ctx, stack(t), messages...)
}

// publishVia is publish through the publish function of stack s.
func publishVia(t *testing.T, ctx context.Context, s *devstack.Stack, messages ...map[string]string) {
	t.Helper()
	payload, _ := json.Marshal(map[string]any{"messages": messages})
	out, err := s.Invoke(ctx, "PublishFunction", payload)
	if err != nil {
		t.Fatalf("PublishFunction: %v", err)
	}
	var resp struct{ Published int }
	if err := json.Unmarshal(out, &resp); err != nil || resp.Published != len(messages) {
		t.Fatalf("PublishFunction answered %s", out)
	}
}

func text(channel, text string) map[string]string {
	return map[string]string{"channel": channel, "text": text}
}

// sqsEvent builds an SQS event whose records carry bodies.
func sqsEvent(bodies ...string) events.SQSEvent {
	var e events.SQSEvent
	// Unique ids, as SQS gives: the publish function treats a message id it has
	// seen as a redelivery (same history id, which Pushpin then drops as a
	// duplicate within its 60 s window).
	batch := time.Now().UnixNano()
	for i, b := range bodies {
		e.Records = append(e.Records, events.SQSMessage{
			MessageId:      fmt.Sprintf("msg-%d-%c", batch, 'a'+i),
			Body:           b,
			EventSource:    "aws:sqs",
			EventSourceARN: "arn:aws:sqs:us-east-1:123456789012:local-PublishQueue",
			AWSRegion:      "us-east-1",
		})
	}
	return e
}
