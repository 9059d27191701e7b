package e2e

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// cutter is a reverse proxy in front of Pushpin (WebSocket upgrades
// included) that can cut every connection and refuse new ones, as a lost
// network does, then let them through again. It sends Pushpin's own Host,
// as a browser that reached Pushpin directly would.
type cutter struct {
	srv   *httptest.Server
	mu    sync.Mutex
	down  bool
	conns map[net.Conn]bool
}

func newCutter(t *testing.T, target string) *cutter {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(u)
	c := &cutter{conns: map[net.Conn]bool{}}
	c.srv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.mu.Lock()
		down := c.down
		c.mu.Unlock()
		if down {
			http.Error(w, "cut", http.StatusBadGateway)
			return
		}
		r.Host = u.Host
		proxy.ServeHTTP(w, r)
	}))
	c.srv.Config.ConnState = func(conn net.Conn, st http.ConnState) {
		c.mu.Lock()
		defer c.mu.Unlock()
		switch st {
		case http.StateNew:
			c.conns[conn] = true
		case http.StateClosed:
			delete(c.conns, conn)
		}
	}
	c.srv.Start()
	t.Cleanup(func() { c.cut(); c.srv.Close() })
	return c
}

func (c *cutter) url() string { return c.srv.URL }

// cut closes every connection (upgraded ones too) and refuses new ones
// until restore.
func (c *cutter) cut() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.down = true
	for conn := range c.conns {
		conn.Close()
		delete(c.conns, conn)
	}
}

func (c *cutter) restore() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.down = false
}

// The chat page in Chromium loses its connection; meanwhile the publish
// function and another client publish. The page reconnects by itself (with
// its backoff) and resumes with the last id it showed: it shows each
// message once, in order, and drops a message whose id it already has.
func TestBrowserChatResume(t *testing.T) {
	needs(t, "ChatFunction", "PublishFunction")
	s := stack(t)
	chromium := findChromium(t)
	ctx := testContext(t, time.Minute)
	run := uniqueChannel("page")
	net := newCutter(t, s.ProxyURL())

	tab, cancel := chromedp.NewContext(startChromium(t, ctx, chromium))
	t.Cleanup(cancel)
	b := dialChat(t, ctx, "B")
	if _, err := chromedp.RunResponse(tab, chromedp.Navigate(net.url()+"/chat")); err != nil {
		t.Fatalf("opening the page: %v", err)
	}
	if err := chromedp.Do(tab,
		chromedp.WaitVisible(chromedp.CSS("#status.online")),
		waitForNotice("welcome! you are anonymous; type /nick <name> to change it"),
	); err != nil {
		t.Fatalf("opening the page: %v", err)
	}
	b.send(ctx, run+" before")
	if err := chromedp.Do(tab, waitForLine("anonymous: "+run+" before")); err != nil {
		t.Fatal(err)
	}

	net.cut()
	if err := chromedp.Do(tab, chromedp.WaitNotPresent(chromedp.CSS("#status.online"))); err != nil {
		t.Fatalf("the page did not notice the cut: %v", err)
	}
	b.send(ctx, run+" b1")
	b.expect(ctx, chatMessage("anonymous", run+" b1"))
	publishVia(t, ctx, s, text("chat", run+" p1"))
	b.send(ctx, run+" b2")
	b.expect(ctx, chatMessage("anonymous", run+" b2"))
	net.restore()

	want := []string{"anonymous: " + run + " b1", run + " p1", "anonymous: " + run + " b2"}
	for _, line := range want {
		if err := chromedp.Do(tab, waitForLine(line)); err != nil {
			t.Fatalf("the page never showed %q after reconnecting: %v", line, err)
		}
	}

	// A message the page has, sent again under its id (straight to the
	// proxy, as a retried publish would be): dropped.
	ids, err := chromedp.Run(tab, chromedp.Evaluate[[]string](
		`[...document.querySelectorAll("#log li")].filter(li => li.dataset.id).map(li => li.dataset.id)`))
	if err != nil || len(ids) == 0 {
		t.Fatalf("the page's message ids: %v %v", ids, err)
	}
	dup, _ := json.Marshal(map[string]string{"type": "message", "id": ids[len(ids)-1], "text": run + " duplicate"})
	controlPublish(t, ctx, s.ControlURL(), string(dup))
	b.send(ctx, run+" b3")
	if err := chromedp.Do(tab, waitForLine("anonymous: "+run+" b3")); err != nil {
		t.Fatal(err)
	}

	lines, err := chromedp.Run(tab, chromedp.Evaluate[[]string](
		`[...document.querySelectorAll("#log li")].filter(li => li.dataset.id).map(li => li.dataset.id + " " + li.textContent)`))
	if err != nil {
		t.Fatal(err)
	}
	var prev uint64
	seen := map[string]int{}
	for i, l := range lines {
		id, text, _ := strings.Cut(l, " ")
		n := parseID(t, id)
		if i > 0 && n != prev+1 {
			t.Errorf("the page shows id %d after %d: %q", n, prev, lines)
		}
		prev = n
		seen[text]++
	}
	for _, line := range append(want, "anonymous: "+run+" before", "anonymous: "+run+" b3") {
		if seen[line] != 1 {
			t.Errorf("the page shows %q %d times, want once", line, seen[line])
		}
	}
	if seen[run+" duplicate"] != 0 {
		t.Errorf("the page showed a message under an id it had")
	}
}

// controlPublish sends content to every chat client straight through the
// proxy's control API.
func controlPublish(t *testing.T, ctx context.Context, controlURL, content string) {
	t.Helper()
	item, _ := json.Marshal(map[string]any{"items": []any{map[string]any{
		"channel": "chat", "formats": map[string]any{"ws-message": map[string]string{"content": content}},
	}}})
	status, body := postJSON(t, ctx, controlURL+"/publish/", string(item))
	if status != 200 {
		t.Fatalf("publish: %d %s", status, body)
	}
}

func postJSON(t *testing.T, ctx context.Context, url, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func parseID(t *testing.T, id string) uint64 {
	t.Helper()
	n, err := strconv.ParseUint(id, 10, 64)
	if err != nil {
		t.Fatalf("id %q: %v", id, err)
	}
	return n
}
