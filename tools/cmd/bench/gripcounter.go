package main

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"sync"
	"time"
)

// gripCounter is a GRIP control endpoint on loopback that accepts every
// publish and counts the requests and their items.
type gripCounter struct {
	url string
	srv *http.Server

	mu              sync.Mutex
	requests, items int
}

func newGripCounter() (*gripCounter, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	g := &gripCounter{url: "http://" + ln.Addr().String()}
	g.srv = &http.Server{Handler: http.HandlerFunc(g.serve), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = g.srv.Serve(ln) }()
	return g, nil
}

func (g *gripCounter) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/publish/" {
		http.NotFound(w, r)
		return
	}
	var body struct {
		Items []json.RawMessage `json:"items"`
	}
	raw, _ := io.ReadAll(r.Body)
	if err := json.Unmarshal(raw, &body); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	g.mu.Lock()
	g.requests++
	g.items += len(body.Items)
	g.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_, _ = io.WriteString(w, "{}")
}

// take returns the counts since the last take.
func (g *gripCounter) take() (requests, items int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	requests, items = g.requests, g.items
	g.requests, g.items = 0, 0
	return requests, items
}

func (g *gripCounter) close() { _ = g.srv.Close() }
