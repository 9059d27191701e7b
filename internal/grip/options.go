package grip

import (
	"net"
	"net/http"
	"time"
)

// Defaults of a Publisher: three attempts per endpoint and publish, the
// first retry after about 100ms, doubling up to 2s (with jitter).
const (
	defaultMaxAttempts = 3
	defaultBackoffBase = 100 * time.Millisecond
	defaultBackoffMax  = 2 * time.Second
)

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
