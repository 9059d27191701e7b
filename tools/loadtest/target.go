package loadtest

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/faas-grip/faas-grip-go/tools/devstack"
)

// Target is where a scenario's clients connect and how it publishes.
type Target struct {
	// ProxyURLs are Pushpin client URLs (http://host:port); client i
	// connects to ProxyURLs[i % len].
	ProxyURLs []string
	// Publish publishes texts to channel in one request, in order, and
	// returns once the proxies accepted them.
	Publish func(ctx context.Context, channel string, texts []string) error
	// Requests, if set, counts the requests the API has served per
	// function (logical id); Longpoll uses it to know that every first
	// poll has been answered with a hold before it publishes.
	Requests func(function string) int64
	// HTTP is the client for streams and long-polls; nil: one made for
	// thousands of connections to the proxies.
	HTTP *http.Client
	// Progress, if set, gets a line now and then.
	Progress func(format string, args ...any)
}

func (t *Target) proxy(i int) string { return t.ProxyURLs[i%len(t.ProxyURLs)] }

func (t *Target) progress(format string, args ...any) {
	if t.Progress != nil {
		t.Progress(format, args...)
	}
}

func (t *Target) httpClient() *http.Client {
	if t.HTTP != nil {
		return t.HTTP
	}
	return NewHTTPClient()
}

// NewHTTPClient returns a client that keeps a connection per concurrent
// request to each proxy (streams and long-polls each hold one).
func NewHTTPClient() *http.Client {
	return &http.Client{Transport: &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 10 * time.Second}).DialContext,
		MaxIdleConns:        10000,
		MaxIdleConnsPerHost: 10000,
		IdleConnTimeout:     30 * time.Second,
		DisableCompression:  true,
	}}
}

// StackTarget aims at a devstack.Stack: clients on every Pushpin instance
// of the stack, and publishing through the stack's publish function
// (PublishFunction), invoked directly as `make invoke` does, with
// {"messages": [{"channel", "text"}, ...]}. counter, if not nil, is the
// handler of the stack's Logger (see RequestCounter).
func StackTarget(s *devstack.Stack, counter *RequestCounter) *Target {
	t := &Target{ProxyURLs: s.ProxyURLs(), Publish: PublishFunction(s)}
	if counter != nil {
		t.Requests = counter.Count
	}
	return t
}

// PublishFunction publishes through the stack's PublishFunction.
func PublishFunction(s *devstack.Stack) func(ctx context.Context, channel string, texts []string) error {
	return func(ctx context.Context, channel string, texts []string) error {
		type msg struct {
			Channel string `json:"channel"`
			Text    string `json:"text"`
		}
		msgs := make([]msg, len(texts))
		for i, text := range texts {
			msgs[i] = msg{channel, text}
		}
		payload, _ := json.Marshal(map[string]any{"messages": msgs})
		out, err := s.Invoke(ctx, "PublishFunction", payload)
		if err != nil {
			return fmt.Errorf("PublishFunction: %w", err)
		}
		var resp struct{ Published int }
		if err := json.Unmarshal(out, &resp); err != nil || resp.Published != len(texts) {
			return fmt.Errorf("PublishFunction answered %.200s, want %d published", out, len(texts))
		}
		return nil
	}
}

// RequestCounter is a slog.Handler for a devstack.Stack's Logger: it
// counts the local API Gateway's request lines (message "request" with a
// "function" attribute) per function, and passes every record on to next.
type RequestCounter struct {
	next   slog.Handler
	counts *sync.Map // function -> *atomic.Int64
}

// NewRequestCounter returns a RequestCounter in front of next (nil: records
// are only counted).
func NewRequestCounter(next slog.Handler) *RequestCounter {
	if next == nil {
		next = slog.DiscardHandler
	}
	return &RequestCounter{next: next, counts: &sync.Map{}}
}

// Count is how many requests the API has routed to function.
func (c *RequestCounter) Count(function string) int64 {
	if v, ok := c.counts.Load(function); ok {
		return v.(*atomic.Int64).Load()
	}
	return 0
}

func (c *RequestCounter) Enabled(ctx context.Context, level slog.Level) bool {
	return level >= slog.LevelInfo || c.next.Enabled(ctx, level)
}

func (c *RequestCounter) Handle(ctx context.Context, r slog.Record) error {
	if r.Message == "request" {
		r.Attrs(func(a slog.Attr) bool {
			if a.Key != "function" {
				return true
			}
			v, _ := c.counts.LoadOrStore(a.Value.String(), new(atomic.Int64))
			v.(*atomic.Int64).Add(1)
			return false
		})
	}
	if c.next.Enabled(ctx, r.Level) {
		return c.next.Handle(ctx, r)
	}
	return nil
}

func (c *RequestCounter) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &RequestCounter{next: c.next.WithAttrs(attrs), counts: c.counts}
}

func (c *RequestCounter) WithGroup(name string) slog.Handler {
	return &RequestCounter{next: c.next.WithGroup(name), counts: c.counts}
}

// wsURL turns a proxy's http URL into its ws URL.
func wsURL(proxy, path string) string {
	return "ws" + strings.TrimPrefix(proxy, "http") + path
}

// eachLimited runs f(i) for i in [0, n), at most limit at a time, and
// waits for all of them.
func eachLimited(n, limit int, f func(i int)) {
	slots := make(chan struct{}, max(limit, 1))
	var wg sync.WaitGroup
	for i := range n {
		slots <- struct{}{}
		wg.Go(func() {
			defer func() { <-slots }()
			f(i)
		})
	}
	wg.Wait()
}
