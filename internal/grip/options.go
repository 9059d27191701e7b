package grip

import (
	"log/slog"
	"net"
	"net/http"
	"time"
)

// Option configures a Publisher.
type Option func(*Publisher)

// Defaults of a Publisher.
const (
	DefaultMaxAttempts = 3
	defaultBackoffBase = 100 * time.Millisecond
	defaultBackoffMax  = 2 * time.Second
)

// WithHTTPClient makes the Publisher send through client instead of its own.
// The client's redirect policy is kept: the default client follows none,
// because a redirected POST loses its body.
func WithHTTPClient(client *http.Client) Option {
	return func(p *Publisher) {
		if client != nil {
			p.client = client
		}
	}
}

// WithMaxAttempts bounds the requests per endpoint and publish, first one
// included (default 3). Values below 1 mean 1: no retries.
func WithMaxAttempts(n int) Option {
	return func(p *Publisher) { p.maxAttempts = max(n, 1) }
}

// WithBackoff sets the wait before the first retry (base) and its ceiling
// (maxWait); each retry doubles the wait, with random jitter. Defaults: 100ms
// and 2s. A base of zero or less keeps the default.
func WithBackoff(base, maxWait time.Duration) Option {
	return func(p *Publisher) {
		if base > 0 {
			p.backoffBase = base
		}
		p.backoffMax = maxWait
		if p.backoffMax < p.backoffBase {
			p.backoffMax = p.backoffBase
		}
	}
}

// withClock sets the clock used for publish-token expiry (tests). Timeouts
// and deadlines always use the real clock, as the context does.
func withClock(now func() time.Time) Option {
	return func(p *Publisher) {
		if now != nil {
			p.now = now
		}
	}
}

// WithLogger logs retries to logger (nothing is logged by default). Log
// records carry the endpoint without credentials, never a key or token.
func WithLogger(logger *slog.Logger) Option {
	return func(p *Publisher) {
		if logger != nil {
			p.log = logger
		}
	}
}

// newHTTPClient is the Publisher's default client: keep-alive connections
// reused across publishes and warm invocations, connection-level timeouts
// only (the request's deadline comes from the context), no redirects.
func newHTTPClient() *http.Client {
	transport := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          16,
		MaxIdleConnsPerHost:   4,
		IdleConnTimeout:       60 * time.Second,
		TLSHandshakeTimeout:   5 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
	return &http.Client{
		Transport: transport,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}
