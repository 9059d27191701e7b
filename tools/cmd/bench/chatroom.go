package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/coder/websocket"
)

// room is n WebSocket clients of the chat, connected through Pushpin.
type room struct {
	conns    []*websocket.Conn
	arrivals chan arrival
	closed   chan struct{} // unblocks readers at close
	readers  sync.WaitGroup
}

// arrival is a message a client received, stamped by its reader.
type arrival struct {
	client int
	text   string
	at     time.Time
}

// joinChat connects n clients to /chat and waits for each one's welcome:
// then each is subscribed to the chat channel.
func joinChat(ctx context.Context, proxyURL string, n int) (*room, error) {
	url := "ws" + strings.TrimPrefix(proxyURL, "http") + "/chat"
	r := &room{conns: make([]*websocket.Conn, n), arrivals: make(chan arrival, 4*n), closed: make(chan struct{})}
	errs := make(chan error, n)
	slots := make(chan struct{}, 8) // dials at a time: Pushpin opens each through the function
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			slots <- struct{}{}
			defer func() { <-slots }()
			errs <- r.join(ctx, url, i)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			r.close()
			return nil, err
		}
	}
	return r, nil
}

// join connects client i and waits for its welcome.
func (r *room) join(ctx context.Context, url string, i int) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, url, nil)
	if err != nil {
		return fmt.Errorf("client %d: dial %s: %w", i, url, err)
	}
	conn.SetReadLimit(1 << 20)
	r.conns[i] = conn
	welcomed := make(chan struct{})
	r.readers.Add(1)
	go r.read(i, conn, welcomed)
	select {
	case <-welcomed:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("client %d: no welcome: %w", i, ctx.Err())
	}
}

// read stamps every message the client gets; the first is the welcome.
func (r *room) read(i int, conn *websocket.Conn, welcomed chan struct{}) {
	defer r.readers.Done()
	first := true
	for {
		_, data, err := conn.Read(context.Background())
		if err != nil {
			return
		}
		if first {
			first = false
			if strings.HasPrefix(string(data), `{"type":"notice","code":"welcome"`) {
				close(welcomed)
				continue
			}
		}
		select {
		case r.arrivals <- arrival{client: i, text: string(data), at: time.Now()}:
		case <-r.closed:
			return
		}
	}
}

// viaChat sends token from client 0 and times its arrival at every client.
func (r *room) viaChat(ctx context.Context, token string) (time.Duration, error) {
	start := time.Now()
	if err := r.conns[0].Write(ctx, websocket.MessageText, []byte(token)); err != nil {
		return 0, err
	}
	// The chat broadcasts a JSON frame, with the message's history id.
	return r.await(ctx, start, token, func(text string) bool {
		var f struct{ Type, From, Text string }
		return json.Unmarshal([]byte(text), &f) == nil && f.Type == "message" && f.From == "anonymous" && f.Text == token
	})
}

// viaPublish publishes token to channel and times its arrival everywhere.
func (r *room) viaPublish(ctx context.Context, p *publisher, channel, token string) (time.Duration, error) {
	start := time.Now()
	if err := p.publish(ctx, channel, token); err != nil {
		return 0, err
	}
	return r.await(ctx, start, token, func(text string) bool { return text == token })
}

// await returns when every client has the message want matches: the time
// from start to the last arrival. Other messages (stragglers of earlier
// rounds) are skipped.
func (r *room) await(ctx context.Context, start time.Time, want string, match func(string) bool) (time.Duration, error) {
	got := make([]bool, len(r.conns))
	missing := len(r.conns)
	var last time.Time
	timeout := time.NewTimer(10 * time.Second)
	defer timeout.Stop()
	for missing > 0 {
		select {
		case a := <-r.arrivals:
			if !got[a.client] && match(a.text) {
				got[a.client] = true
				missing--
				if a.at.After(last) {
					last = a.at
				}
			}
		case <-timeout.C:
			return 0, fmt.Errorf("%d of %d clients did not get %q within 10s", missing, len(r.conns), want)
		case <-ctx.Done():
			return 0, ctx.Err()
		}
	}
	return last.Sub(start), nil
}

func (r *room) close() {
	close(r.closed)
	for _, c := range r.conns {
		if c != nil {
			_ = c.CloseNow()
		}
	}
	r.readers.Wait()
}

// publisher posts to Pushpin's control API with one reused client.
type publisher struct {
	url    string
	client *http.Client
}

func newPublisher(controlURL string) *publisher {
	return &publisher{url: controlURL + "/publish/", client: &http.Client{Timeout: 10 * time.Second}}
}

func (p *publisher) publish(ctx context.Context, channel, content string) error {
	body, err := json.Marshal(map[string]any{"items": []any{map[string]any{
		"channel": channel, "formats": map[string]any{"ws-message": map[string]string{"content": content}},
	}}})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := p.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(resp.Body)
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("publish: %s: %s", resp.Status, msg)
	}
	return nil
}
