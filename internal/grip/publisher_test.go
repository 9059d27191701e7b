package grip

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// recordedRequest is what a test proxy received.
type recordedRequest struct {
	Method, Path, RawQuery string
	Header                 http.Header
	Body                   []byte
}

// proxy is a fake GRIP control API that records requests and answers with
// respond (n counts requests from 1).
type proxy struct {
	*httptest.Server
	mu       sync.Mutex
	requests []recordedRequest
	newConns atomic.Int32
}

func newProxy(t *testing.T, respond func(n int, w http.ResponseWriter, r *http.Request)) *proxy {
	t.Helper()
	p := &proxy{}
	p.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		p.mu.Lock()
		p.requests = append(p.requests, recordedRequest{r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Clone(), body})
		n := len(p.requests)
		p.mu.Unlock()
		if respond == nil {
			w.WriteHeader(http.StatusOK)
			return
		}
		respond(n, w, r)
	}))
	p.Config.ConnState = func(_ net.Conn, state http.ConnState) {
		if state == http.StateNew {
			p.newConns.Add(1)
		}
	}
	p.Start()
	t.Cleanup(p.Close)
	return p
}

func (p *proxy) received() []recordedRequest {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]recordedRequest(nil), p.requests...)
}

// status answers every request with code (and body).
func status(code int, body string) func(int, http.ResponseWriter, *http.Request) {
	return func(_ int, w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(code)
		_, _ = io.WriteString(w, body)
	}
}

// fakeClock is an injectable clock for token expiry.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// Settings for newPublisher.
func withBackoff(base, ceiling time.Duration) func(*Publisher) {
	return func(p *Publisher) { p.backoffBase, p.backoffMax = base, ceiling }
}

func withMaxAttempts(n int) func(*Publisher) { return func(p *Publisher) { p.maxAttempts = n } }

func withClock(now func() time.Time) func(*Publisher) { return func(p *Publisher) { p.now = now } }

// fastRetries keeps retry tests quick.
var fastRetries = withBackoff(time.Millisecond, 5*time.Millisecond)

func publisherFor(t *testing.T, rawURL, prefix string, configure ...func(*Publisher)) *Publisher {
	t.Helper()
	cfg, err := ParseConfig(rawURL, prefix)
	if err != nil {
		t.Fatal(err)
	}
	return newPublisher(cfg, configure...)
}

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestPublishAuth(t *testing.T) {
	b64 := base64.StdEncoding.EncodeToString(testKey)
	tests := []struct {
		name  string
		query string // appended to the server URL
		user  string // user:pass@ inserted
		check func(t *testing.T, header http.Header)
	}{
		{"no credentials, no Authorization header", "", "", func(t *testing.T, h http.Header) {
			if _, ok := h["Authorization"]; ok {
				t.Errorf("Authorization header sent: %q", h.Values("Authorization"))
			}
		}},
		{"key without iss is a bearer token", "?key=" + testToken, "", func(t *testing.T, h http.Header) {
			if got := h.Get("Authorization"); got != "Bearer "+testToken {
				t.Errorf("Authorization = %q", got)
			}
		}},
		{"user:pass is basic auth", "", "bob:" + testPassword + "@", func(t *testing.T, h http.Header) {
			want := "Basic " + base64.StdEncoding.EncodeToString([]byte("bob:"+testPassword))
			if got := h.Get("Authorization"); got != want {
				t.Errorf("Authorization = %q, want %q", got, want)
			}
		}},
		{"iss and key sign a JWT", "?iss=realm&key=base64:" + b64, "", func(t *testing.T, h http.Header) {
			claims := parseJWT(t, h, testKey, time.Now)
			if claims.Issuer != "realm" {
				t.Errorf("iss = %q", claims.Issuer)
			}
			if until := time.Until(claims.ExpiresAt.Time); until < 58*time.Minute || until > time.Hour {
				t.Errorf("exp is %v from now, want about an hour", until)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newProxy(t, nil)
			rawURL := strings.Replace(srv.URL, "http://", "http://"+tt.user, 1) + tt.query
			if err := publisherFor(t, rawURL, "").Publish(testContext(t), wsText("c", "x")); err != nil {
				t.Fatal(err)
			}
			reqs := srv.received()
			if len(reqs) != 1 {
				t.Fatalf("%d requests, want 1", len(reqs))
			}
			tt.check(t, reqs[0].Header)
		})
	}
}

// parseJWT verifies the Bearer JWT in header with key, as a proxy would.
func parseJWT(t *testing.T, header http.Header, key []byte, now func() time.Time) *jwt.RegisteredClaims {
	t.Helper()
	token, ok := strings.CutPrefix(header.Get("Authorization"), "Bearer ")
	if !ok {
		t.Fatalf("Authorization = %q, want a Bearer token", header.Get("Authorization"))
	}
	claims := &jwt.RegisteredClaims{}
	_, err := jwt.ParseWithClaims(token, claims, func(*jwt.Token) (any, error) { return key, nil },
		jwt.WithValidMethods([]string{"HS256"}), jwt.WithExpirationRequired(), jwt.WithTimeFunc(now))
	if err != nil {
		t.Fatalf("token does not verify: %v", err)
	}
	return claims
}

func TestPublishJWTReuseAndRenewal(t *testing.T) {
	srv := newProxy(t, nil)
	clock := &fakeClock{now: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)}
	pub := publisherFor(t, srv.URL+"?iss=realm&key="+testPlainKey, "", withClock(clock.Now))
	ctx := testContext(t)

	publish := func() string {
		t.Helper()
		if err := pub.Publish(ctx, wsText("c", "x")); err != nil {
			t.Fatal(err)
		}
		reqs := srv.received()
		return reqs[len(reqs)-1].Header.Get("Authorization")
	}
	first := publish()
	claims := parseJWT(t, srv.received()[0].Header, []byte(testPlainKey), clock.Now)
	if want := clock.Now().Add(time.Hour); !claims.ExpiresAt.Time.Equal(want) {
		t.Errorf("exp = %v, want %v", claims.ExpiresAt.Time, want)
	}

	clock.Advance(30 * time.Minute)
	if second := publish(); second != first {
		t.Error("token not reused half-way through its life")
	}

	clock.Advance(29*time.Minute + 30*time.Second) // 30s before expiry: renew
	third := publish()
	if third == first {
		t.Fatal("token not renewed shortly before expiry")
	}
	claims = parseJWT(t, srv.received()[2].Header, []byte(testPlainKey), clock.Now)
	if want := clock.Now().Add(time.Hour); !claims.ExpiresAt.Time.Equal(want) {
		t.Errorf("renewed exp = %v, want %v", claims.ExpiresAt.Time, want)
	}
}

func TestPublishBatchesItems(t *testing.T) {
	srv := newProxy(t, nil)
	pub := publisherFor(t, srv.URL+"/base/?foo=bar&key="+testToken, "app-")
	items := []Item{wsText("a", "1"), wsText("b", "2"), streamContent("c", []byte("3"))}
	if err := pub.Publish(testContext(t), items...); err != nil {
		t.Fatal(err)
	}
	reqs := srv.received()
	if len(reqs) != 1 {
		t.Fatalf("%d requests for 3 items, want 1", len(reqs))
	}
	r := reqs[0]
	if r.Method != http.MethodPost || r.Path != "/base/publish/" || r.RawQuery != "foo=bar" {
		t.Errorf("request %s %s?%s, want POST /base/publish/?foo=bar", r.Method, r.Path, r.RawQuery)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q", ct)
	}
	var body struct {
		Items []struct {
			Channel string `json:"channel"`
		} `json:"items"`
	}
	if err := json.Unmarshal(r.Body, &body); err != nil {
		t.Fatal(err)
	}
	if len(body.Items) != 3 || body.Items[0].Channel != "app-a" || body.Items[2].Channel != "app-c" {
		t.Errorf("body = %s", r.Body)
	}
}

func TestPublishReusesConnections(t *testing.T) {
	srv := newProxy(t, nil)
	pub := publisherFor(t, srv.URL, "")
	for range 3 {
		if err := pub.Publish(testContext(t), wsText("c", "x")); err != nil {
			t.Fatal(err)
		}
	}
	if n := srv.newConns.Load(); n != 1 {
		t.Errorf("%d connections for 3 publishes, want 1 (keep-alive)", n)
	}
}

func TestPublishToSeveralEndpoints(t *testing.T) {
	a := newProxy(t, nil)
	b := newProxy(t, nil)
	pub := publisherFor(t, a.URL+", "+b.URL+"/x", "")
	if err := pub.Publish(testContext(t), wsText("c", "x"), wsText("d", "y")); err != nil {
		t.Fatal(err)
	}
	if len(a.received()) != 1 || len(b.received()) != 1 {
		t.Fatalf("requests: a=%d b=%d, want 1 each", len(a.received()), len(b.received()))
	}
	if !bytes.Equal(a.received()[0].Body, b.received()[0].Body) {
		t.Error("endpoints received different bodies")
	}

	// One failing endpoint: the error names it, the other still got the items.
	bad := newProxy(t, status(http.StatusForbidden, "bad token"))
	pub = publisherFor(t, a.URL+" "+bad.URL+"/realm/r?key="+testToken, "")
	err := pub.Publish(testContext(t), wsText("c", "x"))
	var pubErr *PublishError
	if !errors.As(err, &pubErr) {
		t.Fatalf("err = %v, want a *PublishError", err)
	}
	if pubErr.Endpoint != bad.URL+"/realm/r" || pubErr.Status != http.StatusForbidden {
		t.Errorf("PublishError = %+v", pubErr)
	}
	if len(a.received()) != 2 {
		t.Errorf("healthy endpoint got %d requests, want 2", len(a.received()))
	}
	if !strings.Contains(err.Error(), "check the iss and key") {
		t.Errorf("403 error gives no hint: %v", err)
	}
}

func TestPublishRetries(t *testing.T) {
	resetFirst := func(n int, w http.ResponseWriter, _ *http.Request) {
		if n == 1 {
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				if tcp, ok := conn.(*net.TCPConn); ok {
					_ = tcp.SetLinger(0) // close with RST
				}
				conn.Close()
			}
			return
		}
		w.WriteHeader(http.StatusOK)
	}
	tests := []struct {
		name     string
		respond  func(int, http.ResponseWriter, *http.Request)
		wantReqs int
		wantErr  bool
	}{
		{"503 then success", func(n int, w http.ResponseWriter, _ *http.Request) {
			if n == 1 {
				w.WriteHeader(http.StatusServiceUnavailable)
			}
		}, 2, false},
		{"429 then success", func(n int, w http.ResponseWriter, _ *http.Request) {
			if n == 1 {
				w.Header().Set("Retry-After", "0")
				w.WriteHeader(http.StatusTooManyRequests)
			}
		}, 2, false},
		{"connection reset then success", resetFirst, 2, false},
		{"two 500s then success", func(n int, w http.ResponseWriter, _ *http.Request) {
			if n < 3 {
				w.WriteHeader(http.StatusInternalServerError)
			}
		}, 3, false},
		{"always 502: bounded attempts", status(http.StatusBadGateway, "upstream"), 3, true},
		{"400 is not retried", status(http.StatusBadRequest, "bad item"), 1, true},
		{"404 is not retried", status(http.StatusNotFound, ""), 1, true},
		{"redirect is not followed", func(_ int, w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Location", "/elsewhere")
			w.WriteHeader(http.StatusFound)
		}, 1, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newProxy(t, tt.respond)
			err := publisherFor(t, srv.URL, "", fastRetries).Publish(testContext(t), wsText("c", "x"))
			if (err != nil) != tt.wantErr {
				t.Errorf("err = %v, want error: %v", err, tt.wantErr)
			}
			if got := len(srv.received()); got != tt.wantReqs {
				t.Errorf("%d requests, want %d", got, tt.wantReqs)
			}
			var pubErr *PublishError
			if tt.wantErr && (!errors.As(err, &pubErr) || pubErr.Attempts != tt.wantReqs) {
				t.Errorf("err = %#v, want a *PublishError with Attempts %d", err, tt.wantReqs)
			}
		})
	}
}

func TestPublishMaxAttempts(t *testing.T) {
	for _, n := range []int{1, 5} {
		srv := newProxy(t, status(http.StatusServiceUnavailable, ""))
		err := publisherFor(t, srv.URL, "", fastRetries, withMaxAttempts(n)).Publish(testContext(t), wsText("c", "x"))
		want := n
		var pubErr *PublishError
		if !errors.As(err, &pubErr) || pubErr.Attempts != want || len(srv.received()) != want {
			t.Errorf("maxAttempts %d: %d requests, err %v; want %d", n, len(srv.received()), err, want)
		}
	}
}

func TestPublishErrorDetails(t *testing.T) {
	long := strings.Repeat("é", 400) // 800 bytes: cut mid-rune at 512
	srv := newProxy(t, status(http.StatusBadRequest, long))
	rawURL := strings.Replace(srv.URL, "http://", "http://bob:"+testPassword+"@", 1) + "/realm/r/?keep=1"
	err := publisherFor(t, rawURL, "").Publish(testContext(t), wsText("c", "x"))
	var pubErr *PublishError
	if !errors.As(err, &pubErr) {
		t.Fatalf("err = %v", err)
	}
	if pubErr.Endpoint != srv.URL+"/realm/r?keep=1" {
		t.Errorf("Endpoint = %q", pubErr.Endpoint)
	}
	if pubErr.Status != 400 || pubErr.Attempts != 1 || pubErr.Err != nil {
		t.Errorf("PublishError = %+v", pubErr)
	}
	if len(pubErr.Body) > 512 || !strings.HasPrefix(long, pubErr.Body) || len(pubErr.Body) < 500 {
		t.Errorf("Body excerpt is %d bytes: %q", len(pubErr.Body), pubErr.Body)
	}
	msg := err.Error()
	for _, want := range []string{srv.URL + "/realm/r?keep=1", "status 400 Bad Request", "éé"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not contain %q", msg, want)
		}
	}
	assertNoSecret(t, "error", msg)
	if strings.Contains(msg, "bob") {
		t.Errorf("error shows the user name: %q", msg)
	}
}

func TestPublishDeadline(t *testing.T) {
	release := make(chan struct{})
	srv := newProxy(t, func(_ int, _ http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		case <-time.After(5 * time.Second):
		}
	})
	defer close(release)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := publisherFor(t, srv.URL, "").Publish(ctx, wsText("c", "x"))
	elapsed := time.Since(start)
	if elapsed > 300*time.Millisecond {
		t.Errorf("Publish took %v with a 200ms deadline", elapsed)
	}
	var pubErr *PublishError
	if !errors.Is(err, context.DeadlineExceeded) || !errors.As(err, &pubErr) || pubErr.Attempts != 1 {
		t.Errorf("err = %v, want a *PublishError wrapping context.DeadlineExceeded after 1 attempt", err)
	}
}

func TestPublishNoRetryPastDeadline(t *testing.T) {
	tests := []struct {
		name    string
		respond func(int, http.ResponseWriter, *http.Request)
		opts    []func(*Publisher)
	}{
		{"backoff longer than the time left", status(http.StatusServiceUnavailable, ""),
			[]func(*Publisher){withBackoff(2*time.Second, 4*time.Second)}},
		{"Retry-After longer than the time left", func(_ int, w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Retry-After", "5")
			w.WriteHeader(http.StatusTooManyRequests)
		}, []func(*Publisher){fastRetries}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newProxy(t, tt.respond)
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			defer cancel()
			start := time.Now()
			err := publisherFor(t, srv.URL, "", tt.opts...).Publish(ctx, wsText("c", "x"))
			if elapsed := time.Since(start); elapsed > 500*time.Millisecond {
				t.Errorf("Publish waited %v for a retry that could not finish", elapsed)
			}
			if len(srv.received()) != 1 || err == nil {
				t.Errorf("%d requests, err %v; want 1 and an error", len(srv.received()), err)
			}
		})
	}
}

func TestPublishHonoursRetryAfter(t *testing.T) {
	srv := newProxy(t, func(n int, w http.ResponseWriter, _ *http.Request) {
		if n == 1 {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
		}
	})
	start := time.Now()
	if err := publisherFor(t, srv.URL, "", fastRetries).Publish(testContext(t), wsText("c", "x")); err != nil {
		t.Fatal(err)
	}
	if elapsed := time.Since(start); elapsed < time.Second {
		t.Errorf("retried after %v, want the 1s Retry-After", elapsed)
	}
}

func TestPublishContextEndsDuringBackoff(t *testing.T) {
	srv := newProxy(t, status(http.StatusServiceUnavailable, ""))
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	err := publisherFor(t, srv.URL, "", withBackoff(time.Second, time.Second)).Publish(ctx, wsText("c", "x"))
	var pubErr *PublishError
	if !errors.Is(err, context.Canceled) || !errors.As(err, &pubErr) || pubErr.Status != 503 {
		t.Errorf("err = %v, want the 503 error, wrapping context.Canceled", err)
	}
}

func TestPublishWithoutRequest(t *testing.T) {
	srv := newProxy(t, nil)
	pub := publisherFor(t, srv.URL, "")
	ctx := testContext(t)

	if err := pub.Publish(ctx); err != nil {
		t.Errorf("no items: %v", err)
	}
	if err := pub.Publish(ctx, wsText("ok", "x"), wsText("", "x")); !errors.As(err, new(*ItemError)) {
		t.Errorf("invalid item: err = %v, want an *ItemError", err)
	}
	canceled, cancel := context.WithCancel(ctx)
	cancel()
	if err := pub.Publish(canceled, wsText("c", "x")); !errors.Is(err, context.Canceled) {
		t.Errorf("canceled context: err = %v", err)
	}
	if n := len(srv.received()); n != 0 {
		t.Errorf("%d requests sent, want none", n)
	}

	if err := NewPublisher(Config{}).Publish(ctx, wsText("c", "x")); !errors.Is(err, errNoEndpoints) {
		t.Errorf("no endpoints: err = %v, want errNoEndpoints", err)
	}
}

func TestPublishBadEndpoints(t *testing.T) {
	tests := []struct {
		name    string
		ep      Endpoint
		wantErr error
	}{
		{"not a URL", Endpoint{ControlURI: "://" + testPassword}, errInvalidURL},
		{"ftp", Endpoint{ControlURI: "ftp://h"}, errInvalidURL},
		{"binary bearer key", Endpoint{ControlURI: "http://127.0.0.1:1", Key: testKey}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := NewPublisher(Config{Endpoints: []Endpoint{tt.ep}}).Publish(testContext(t), wsText("c", "x"))
			if err == nil || (tt.wantErr != nil && !errors.Is(err, tt.wantErr)) {
				t.Errorf("err = %v, want %v", err, tt.wantErr)
			}
			assertNoSecret(t, "error", err.Error())
		})
	}
}

func TestPublishConcurrent(t *testing.T) {
	srv := newProxy(t, nil)
	pub := publisherFor(t, srv.URL+"?iss=r&key="+testPlainKey+", "+srv.URL+"/second", "")
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if err := pub.Publish(testContext(t), wsText("c", "x")); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if n := len(srv.received()); n != 16 {
		t.Errorf("%d requests, want 16", n)
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		value string
		want  time.Duration
	}{
		{"", 0},
		{"0", 0},
		{"3", 3 * time.Second},
		{" 7 ", 7 * time.Second},
		{"-1", 0},
		{"soon", 0},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second},
		{now.Add(-time.Minute).Format(http.TimeFormat), 0},
	}
	for _, tt := range tests {
		if got := parseRetryAfter(tt.value, now); got != tt.want {
			t.Errorf("parseRetryAfter(%q) = %v, want %v", tt.value, got, tt.want)
		}
	}
}

func TestBackoff(t *testing.T) {
	p := newPublisher(Config{}, withBackoff(100*time.Millisecond, time.Second))
	for attempt, want := range map[int]time.Duration{1: 100 * time.Millisecond, 2: 200 * time.Millisecond, 4: 800 * time.Millisecond, 5: time.Second, 80: time.Second} {
		for range 20 {
			if got := p.backoff(attempt); got < want/2 || got > want {
				t.Errorf("backoff(%d) = %v, want within [%v, %v]", attempt, got, want/2, want)
			}
		}
	}
}
