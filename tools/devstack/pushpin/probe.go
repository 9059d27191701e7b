package pushpin

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"time"
)

// readyPath is routed to the probe origin, never to the real one.
const readyPath = "/.pushpin-ready"

// probeOrigin answers readyPath with a GRIP stream hold. A client that gets
// its body through Pushpin has proven the whole path a held request takes:
// condure, the proxy, zurl, and the handler's accept service (which answers
// "Accept service unavailable" for a moment after start).
type probeOrigin struct {
	ln  net.Listener
	srv *http.Server
}

func startProbeOrigin() (*probeOrigin, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &probeOrigin{ln: ln, srv: &http.Server{
		ReadHeaderTimeout: 5 * time.Second,
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Grip-Hold", "stream")
			w.Header().Set("Grip-Channel", "pushpin-ready-probe")
			w.Header().Set("Content-Type", "text/plain")
			_, _ = io.WriteString(w, "ready\n")
		}),
	}}
	go func() { _ = p.srv.Serve(ln) }()
	return p, nil
}

func (p *probeOrigin) addr() string { return p.ln.Addr().String() }

func (p *probeOrigin) close() { _ = p.srv.Close() }

// probeProxy reports whether a request to readyPath comes back with the
// probe's stream, and closes the stream. A request that condure accepts
// before the proxy is connected can hang: a short timeout retries sooner.
func probeProxy(ctx context.Context, client *http.Client, baseURL string) bool {
	ctx, cancel := context.WithTimeout(ctx, 500*time.Millisecond)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, baseURL+readyPath, nil)
	if err != nil {
		return false
	}
	resp, err := client.Do(req)
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	line, _ := bufio.NewReader(resp.Body).ReadString('\n')
	return resp.StatusCode == http.StatusOK && strings.TrimSpace(line) == "ready"
}

// probeControl reports whether the control API answers.
func probeControl(ctx context.Context, client *http.Client, baseURL string) bool {
	ctx, cancel := context.WithTimeout(ctx, 500*time.Millisecond)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, baseURL+"/", nil)
	if err != nil {
		return false
	}
	resp, err := client.Do(req)
	if err != nil {
		return false
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return true
}
