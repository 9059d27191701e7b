package guard

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// upstream is a stand-in for Pushpin: it records what reached it.
type upstream struct {
	*httptest.Server
	hits    atomic.Int32
	lastReq atomic.Pointer[http.Request]
}

func newUpstream(t *testing.T, h http.HandlerFunc) *upstream {
	u := &upstream{}
	u.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u.hits.Add(1)
		u.lastReq.Store(r)
		h(w, r)
	}))
	t.Cleanup(u.Close)
	return u
}

func (u *upstream) addr() string { return strings.TrimPrefix(u.URL, "http://") }

// serve runs h on a loopback port and returns its address.
func serve(t *testing.T, h http.Handler) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := Serve(ln, h)
	t.Cleanup(func() { _ = s.Close() })
	return ln.Addr().String()
}

func do(t *testing.T, method, url, host string, header map[string]string, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if host != "" {
		req.Host = host
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestControl(t *testing.T) {
	up := newUpstream(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "Published\n") })
	addr := serve(t, Control(up.addr()))
	url := "http://" + addr + "/publish/"
	item := `{"items":[{"channel":"chat","formats":{"ws-message":{"content":"pwned"}}}]}`

	for _, tc := range []struct {
		name   string
		host   string
		header map[string]string
	}{
		// What a page's <form enctype=text/plain method=post> sends.
		{"cross-site form", "", map[string]string{"Content-Type": "text/plain", "Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "navigate"}},
		{"another localhost port", "", map[string]string{"Content-Type": "text/plain", "Origin": "http://localhost:3000", "Sec-Fetch-Site": "same-site"}},
		{"opaque origin", "", map[string]string{"Content-Type": "text/plain", "Origin": "null"}},
		{"Sec-Fetch-Site alone", "", map[string]string{"Sec-Fetch-Site": "cross-site"}},
		{"rebound domain", "rebind.evil.example:" + portOf(addr), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body := do(t, http.MethodPost, url, tc.host, tc.header, item)
			if status != http.StatusForbidden || !strings.HasPrefix(body, "devstack guard: ") {
				t.Errorf("status %d %q, want 403 from the guard", status, body)
			}
		})
	}
	if n := up.hits.Load(); n != 0 {
		t.Fatalf("%d refused requests reached Pushpin", n)
	}

	// Programs pass: the publish function, curl, a test's switch in front
	// (its own Host), someone typing the URL (Sec-Fetch-Site: none).
	for _, tc := range []struct {
		host   string
		header map[string]string
	}{
		{"", map[string]string{"Content-Type": "application/json"}},
		{"localhost:" + portOf(addr), nil},
		{"127.0.0.1:1", nil},
		{"", map[string]string{"Sec-Fetch-Site": "none"}},
	} {
		if status, body := do(t, http.MethodPost, url, tc.host, tc.header, item); status != http.StatusOK || body != "Published\n" {
			t.Errorf("host %q header %v: %d %q, want Pushpin's 200", tc.host, tc.header, status, body)
		}
	}
}

func TestClient(t *testing.T) {
	up := newUpstream(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "hello "+r.Host) })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	s := Serve(ln, Client(up.addr(), append(LocalHosts(port), "abc123.execute-api.us-east-1.amazonaws.com")...))
	t.Cleanup(func() { _ = s.Close() })
	url := "http://127.0.0.1:" + strconv.Itoa(port) + "/chat"

	for _, host := range []string{"rebind.evil.example:" + strconv.Itoa(port), "127.0.0.1:1", "localhost"} {
		if status, body := do(t, http.MethodGet, url, host, nil, ""); status != http.StatusForbidden || !strings.HasPrefix(body, "devstack guard: ") {
			t.Errorf("Host %q: %d %q, want 403 from the guard", host, status, body)
		}
	}
	if n := up.hits.Load(); n != 0 {
		t.Fatalf("%d refused requests reached Pushpin", n)
	}
	for _, host := range []string{"", "LOCALHOST:" + strconv.Itoa(port), "abc123.execute-api.us-east-1.amazonaws.com"} {
		want := host
		if host == "" {
			want = "127.0.0.1:" + strconv.Itoa(port)
		}
		if status, body := do(t, http.MethodGet, url, host, nil, ""); status != http.StatusOK || body != "hello "+want {
			t.Errorf("Host %q: %d %q, want Pushpin's answer with the Host unchanged", host, status, body)
		}
	}
	// Nothing added on the way: Pushpin sees what the client sent.
	r := up.lastReq.Load()
	if _, ok := r.Header["X-Forwarded-For"]; ok || r.Header.Get("Accept-Encoding") != "gzip" {
		t.Errorf("headers at Pushpin: %v", r.Header)
	}
}

// TestPassesStreamsAndWebSockets checks what Pushpin's clients rely on:
// a stream's writes arrive as written, a WebSocket upgrade is relayed.
func TestPassesStreamsAndWebSockets(t *testing.T) {
	release := make(chan struct{})
	up := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/ws" {
			c, err := websocket.Accept(w, r, nil)
			if err != nil {
				return
			}
			defer c.CloseNow()
			typ, msg, err := c.Read(r.Context())
			if err == nil {
				_ = c.Write(r.Context(), typ, append([]byte("echo "), msg...))
			}
			return
		}
		w.Header().Set("Content-Type", "text/plain") // not an event stream
		io.WriteString(w, "first\n")
		w.(http.Flusher).Flush()
		select {
		case <-release:
		case <-time.After(10 * time.Second):
		}
		io.WriteString(w, "second\n")
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	s := Serve(ln, Client(up.addr(), LocalHosts(port)...))
	t.Cleanup(func() { _ = s.Close() })
	base := "127.0.0.1:" + strconv.Itoa(port)

	resp, err := http.Get("http://" + base + "/stream")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	select {
	case l := <-lines:
		if l != "first" {
			t.Fatalf("stream: %q", l)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the stream's first line was held back by the guard")
	}
	close(release)
	if l := <-lines; l != "second" {
		t.Errorf("stream: %q", l)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, "ws://"+base+"/ws", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	if err := c.Write(ctx, websocket.MessageText, []byte("hi")); err != nil {
		t.Fatal(err)
	}
	if _, msg, err := c.Read(ctx); err != nil || string(msg) != "echo hi" {
		t.Errorf("WebSocket through the guard: %q, %v", msg, err)
	}
}

func portOf(addr string) string {
	_, p, _ := net.SplitHostPort(addr)
	return p
}
