package main

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/faas-grip/faas-grip-go/internal/clienttoken"
	"github.com/faas-grip/faas-grip-go/internal/feed"
	"github.com/faas-grip/faas-grip-go/internal/grip/apigw"
	"github.com/faas-grip/faas-grip-go/internal/history"
	"github.com/golang-jwt/jwt/v5"
)

// open is the environment of a stream behind a proxy that is not checked.
var open = map[string]string{"GRIP_URL": "http://127.0.0.1:5561", "GRIP_SIG_REQUIRED": "false"}

// withHistory builds the stream with a history (HISTORY_DIR) holding
// texts on "news", numbered from 1, and more vars.
func withHistory(t *testing.T, vars map[string]string, texts ...string) (*deployed, history.Store) {
	t.Helper()
	dir := t.TempDir()
	env := map[string]string{history.EnvDir: dir}
	for k, v := range open {
		env[k] = v
	}
	for k, v := range vars {
		env[k] = v
	}
	var opts []history.DirOption
	if n, err := strconv.Atoi(env[history.EnvMaxEntries]); err == nil {
		opts = append(opts, history.WithMaxEntries(n)) // the appender compacts
	}
	store, err := history.NewDirStore(dir, opts...)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range texts {
		if _, err := store.Append(t.Context(), "news", []byte(s)); err != nil {
			t.Fatal(err)
		}
	}
	return newHandlerLogging(t, env, slog.New(slog.DiscardHandler)), store
}

// get serves GET /stream?query with header (and the Grip-Sig edge wants).
func get(t *testing.T, h *deployed, query string, header http.Header) *apigw.Response {
	t.Helper()
	q, err := url.ParseQuery(query)
	if err != nil {
		t.Fatal(err)
	}
	if header == nil {
		header = http.Header{}
	}
	header.Set("Grip-Sig", "x")
	resp, err := h.Handle(t.Context(), &apigw.Request{Method: "GET", Query: q, Header: header})
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func headlines(n int) []string {
	var out []string
	for i := 1; i <= n; i++ {
		out = append(out, "headline "+strconv.Itoa(i))
	}
	return out
}

var sse = http.Header{"Accept": {"text/event-stream"}}

func with(h http.Header, k, v string) http.Header {
	h = h.Clone()
	if h == nil {
		h = http.Header{}
	}
	h.Set(k, v)
	return h
}

// A client that says where it is gets what it missed after the opening
// line, then the hold on the id it is at with the link the proxy follows.
func TestStreamResumes(t *testing.T) {
	const soon = "<?channel=news>; rel=next; timeout=1"
	const idle = "<?channel=news>; rel=next; timeout=120"
	tests := []struct {
		name    string
		query   string
		header  http.Header
		body    string
		channel string // Grip-Channel
		link    string // Grip-Link
	}{
		{"new plain client: at the newest", "", nil,
			"streaming news\n", "news; prev-id=3", soon},
		{"plain, ?last_id", "last_id=1", nil,
			"streaming news\nheadline 2\nheadline 3\n", "news; prev-id=3", soon},
		{"plain ignores Last-Event-ID", "last_id=2", with(nil, "Last-Event-ID", "1"),
			"streaming news\nheadline 3\n", "news; prev-id=3", soon},
		// The opening event carries the id the client is at: EventSource
		// then comes back with it even before its first message.
		{"new SSE client: the opening event names the newest id", "", sse,
			"id: 3\nevent: open\ndata: streaming news\n\n", "news.sse; prev-id=3", soon},
		{"SSE, Last-Event-ID", "", with(sse, "Last-Event-ID", "1"),
			"id: 1\nevent: open\ndata: streaming news\n\nid: 2\nevent: message\ndata: headline 2\n\nid: 3\nevent: message\ndata: headline 3\n\n",
			"news.sse; prev-id=3", soon},
		{"SSE, Last-Event-ID wins over the URL's last_id", "last_id=1", with(sse, "Last-Event-ID", "2"),
			"id: 2\nevent: open\ndata: streaming news\n\nid: 3\nevent: message\ndata: headline 3\n\n", "news.sse; prev-id=3", soon},
		{"SSE, ?last_id", "last_id=2", sse,
			"id: 2\nevent: open\ndata: streaming news\n\nid: 3\nevent: message\ndata: headline 3\n\n", "news.sse; prev-id=3", soon},
		{"up to date", "last_id=003", nil, "streaming news\n", "news; prev-id=3", soon},
		{"proxy follows the plain link", "", http.Header{"Grip-Last": {"news; last-id=1"}},
			"headline 2\nheadline 3\n", "news; prev-id=3", idle},
		{"proxy follows the SSE link", "", http.Header{"Grip-Last": {"news.sse; last-id=2"}},
			"id: 3\nevent: message\ndata: headline 3\n\n", "news.sse; prev-id=3", idle},
		{"proxy follows an idle stream's link", "", http.Header{"Grip-Last": {"news; last-id=3"}},
			"", "news; prev-id=3", idle},
		{"Grip-Last wins over the link's query", "last_id=3", http.Header{"Grip-Last": {"news; last-id=2"}},
			"headline 3\n", "news; prev-id=3", idle},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h, _ := withHistory(t, nil, headlines(3)...)
			resp := get(t, h, tc.query, tc.header)
			if resp.Status != 200 || string(resp.Body) != tc.body {
				t.Errorf("got %d %q\nwant 200 %q", resp.Status, resp.Body, tc.body)
			}
			if got := resp.Header.Get("Grip-Channel"); got != tc.channel {
				t.Errorf("Grip-Channel %q, want %q", got, tc.channel)
			}
			if got := resp.Header.Values("Grip-Link"); len(got) != 1 || got[0] != tc.link {
				t.Errorf("Grip-Link %q, want %q", got, tc.link)
			}
			if resp.Header.Get("Grip-Hold") != "stream" {
				t.Errorf("Grip-Hold %q", resp.Header.Get("Grip-Hold"))
			}
		})
	}
}

// Ids that are not message ids are refused with a 400 that names where
// the id came from; nothing is held.
func TestStreamRefusesBadIDs(t *testing.T) {
	for _, tc := range []struct {
		name, query string
		header      http.Header
		want        string
	}{
		{"last_id", "last_id=abc", nil, "last_id must be the decimal id"},
		{"negative", "last_id=-1", nil, "last_id must be"},
		{"too big", "last_id=18446744073709551616", nil, "last_id must be"},
		{"Last-Event-ID", "", with(sse, "Last-Event-ID", "7x"), "Last-Event-ID must be the decimal id"},
		{"Grip-Last", "", http.Header{"Grip-Last": {"news; last-id=x"}}, "Grip-Last must be"},
		{"Grip-Last of another channel", "", http.Header{"Grip-Last": {"sports; last-id=1"}}, "Grip-Last names no channel of this stream"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			withHist, _ := withHistory(t, nil, "a")
			for _, h := range []*deployed{withHist, newHandler(t, open)} {
				resp := get(t, h, tc.query, tc.header)
				if resp.Status != 400 || !strings.Contains(string(resp.Body), tc.want) || resp.Header.Get("Grip-Hold") != "" {
					t.Errorf("got %d %q %v, want 400 saying %q", resp.Status, resp.Body, resp.Header, tc.want)
				}
			}
		})
	}
}

// A client whose id is older than the history keeps is told: in the
// opening line of a plain stream, in a gap event on SSE; then it gets what
// is kept. A plain stream the proxy follows into a gap is ended, so that
// its client reconnects and is told.
func TestStreamTellsAGap(t *testing.T) {
	// HISTORY_MAX_ENTRIES 2 keeps 3 and 4 of 4 (a store compacts past 3).
	h, _ := withHistory(t, map[string]string{history.EnvMaxEntries: "2"}, headlines(4)...)
	gap := "messages after 1 are no longer kept: the stream goes on from the oldest kept"
	for _, tc := range []struct {
		name   string
		header http.Header
		body   string
		held   bool
	}{
		{"plain", nil, "streaming news (" + gap + ")\nheadline 3\nheadline 4\n", true},
		{"SSE", sse, "id: 1\nevent: open\ndata: streaming news\n\nevent: gap\ndata: {\"code\":\"history-gap\",\"text\":\"" + gap + "\"}\n\n" +
			"id: 3\nevent: message\ndata: headline 3\n\nid: 4\nevent: message\ndata: headline 4\n\n", true},
		{"SSE, the proxy following", http.Header{"Grip-Last": {"news.sse; last-id=1"}}, "event: gap\ndata: {\"code\":\"history-gap\",\"text\":\"" + gap + "\"}\n\n" +
			"id: 3\nevent: message\ndata: headline 3\n\nid: 4\nevent: message\ndata: headline 4\n\n", true},
		{"plain, the proxy following: ended", http.Header{"Grip-Last": {"news; last-id=1"}}, "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp := get(t, h, "last_id=1", tc.header)
			if resp.Status != 200 || string(resp.Body) != tc.body {
				t.Errorf("got %d %q\nwant 200 %q", resp.Status, resp.Body, tc.body)
			}
			if held := resp.Header.Get("Grip-Hold") != ""; held != tc.held {
				t.Errorf("held %v, want %v: %v", held, tc.held, resp.Header)
			}
			if tc.held && !strings.HasSuffix(resp.Header.Get("Grip-Channel"), "; prev-id=4") {
				t.Errorf("Grip-Channel %q, want the newest kept", resp.Header.Get("Grip-Channel"))
			}
		})
	}
}

// A replay stops at its bounds; the link then has the proxy come back at
// once (timeout=1) for the rest, which arrives in order through the link.
func TestStreamReplayIsBounded(t *testing.T) {
	h, _ := withHistory(t, nil, headlines(feed.MaxReplayMessages+50)...)
	resp := get(t, h, "last_id=0", nil)
	lines := strings.Split(strings.TrimSuffix(string(resp.Body), "\n"), "\n")
	if len(lines) != 1+feed.MaxReplayMessages || lines[1] != "headline 1" || lines[feed.MaxReplayMessages] != "headline 100" {
		t.Fatalf("%d lines: %q ... %q", len(lines), lines[:2], lines[len(lines)-1])
	}
	if got := resp.Header.Get("Grip-Channel"); got != "news; prev-id=100" {
		t.Errorf("Grip-Channel %q", got)
	}
	if got := resp.Header.Get("Grip-Link"); got != "<?channel=news>; rel=next; timeout=1" {
		t.Errorf("Grip-Link %q: want the proxy back at once", got)
	}
	// The proxy following a link far behind is asked back at once too.
	far := get(t, h, "", http.Header{"Grip-Last": {"news; last-id=10"}})
	if got := far.Header.Get("Grip-Link"); got != "<?channel=news>; rel=next; timeout=1" || far.Header.Get("Grip-Channel") != "news; prev-id=110" {
		t.Errorf("followed 140 behind: Grip-Link %q, Grip-Channel %q", got, far.Header.Get("Grip-Channel"))
	}
	rest := get(t, h, "", http.Header{"Grip-Last": {"news; last-id=100"}})
	if want := strings.Join(headlines(150)[100:], "\n") + "\n"; string(rest.Body) != want {
		t.Errorf("the rest: %q", rest.Body)
	}
	if got := rest.Header.Get("Grip-Link"); got != "<?channel=news>; rel=next; timeout=120" {
		t.Errorf("caught up, Grip-Link %q", got)
	}
}

// A stream on a channel without messages holds on "0": the first message
// (it has no prev-id) does not follow it, and the proxy's follow gets it
// from the history; "0" on an empty channel is no gap.
func TestStreamOnAnEmptyChannel(t *testing.T) {
	h, store := withHistory(t, nil)
	resp := get(t, h, "", nil)
	if got := resp.Header.Get("Grip-Channel"); got != "news; prev-id=0" {
		t.Errorf("Grip-Channel %q", got)
	}
	resp = get(t, h, "", http.Header{"Grip-Last": {"news; last-id=0"}})
	if string(resp.Body) != "" || resp.Header.Get("Grip-Channel") != "news; prev-id=0" {
		t.Errorf("followed on an empty channel: %q %v", resp.Body, resp.Header)
	}
	if _, err := store.Append(t.Context(), "news", []byte("first")); err != nil {
		t.Fatal(err)
	}
	resp = get(t, h, "", http.Header{"Grip-Last": {"news; last-id=0"}})
	if string(resp.Body) != "first\n" || resp.Header.Get("Grip-Channel") != "news; prev-id=1" {
		t.Errorf("followed after the first message: %q %v", resp.Body, resp.Header)
	}
}

// Without a history the stream is live only, as before: no prev-id, no
// link, and a resume id changes nothing.
func TestStreamWithoutHistory(t *testing.T) {
	h := newHandler(t, open)
	for _, header := range []http.Header{nil, with(sse, "Last-Event-ID", "3")} {
		resp := get(t, h, "last_id=3", header)
		if ch := resp.Header.Get("Grip-Channel"); strings.Contains(ch, "prev-id") || resp.Header.Get("Grip-Link") != "" {
			t.Errorf("Grip-Channel %q, Grip-Link %q: want neither a prev-id nor a link", ch, resp.Header.Get("Grip-Link"))
		}
		if b := string(resp.Body); b != "streaming news\n" && b != "event: open\ndata: streaming news\n\n" {
			t.Errorf("body %q", b)
		}
	}
}

// With client tokens on, a client needs its token; the proxy following the
// link does not (it sends no client header, and Grip-Last only comes from
// the proxy). The token never reaches the link or the log.
func TestStreamTokensAndTheLink(t *testing.T) {
	const secret = "stream-secret-0123456789abcdef01" // 32 bytes
	var logs bytes.Buffer
	env := map[string]string{history.EnvDir: t.TempDir(), clienttoken.EnvIssuer: "https://issuer.test",
		clienttoken.EnvAudience: "stream-test", clienttoken.EnvSecret: secret}
	for k, v := range open {
		env[k] = v
	}
	h := newHandlerLogging(t, env, slog.New(slog.NewJSONHandler(&logs, nil)))
	token, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"iss": "https://issuer.test", "aud": "stream-test",
		"sub": "reader", "exp": time.Now().Add(time.Hour).Unix(), "channels": []string{"news"}}).SignedString([]byte(secret))
	if err != nil {
		t.Fatal(err)
	}
	if resp := get(t, h, "", nil); resp.Status != 401 {
		t.Errorf("no token: %d, want 401", resp.Status)
	}
	resp := get(t, h, "access_token="+token, nil)
	if resp.Status != 200 || resp.Header.Get("Grip-Link") != "<?channel=news>; rel=next; timeout=1" {
		t.Errorf("with a token: %d, Grip-Link %q", resp.Status, resp.Header.Get("Grip-Link"))
	}
	if resp := get(t, h, "", http.Header{"Grip-Last": {"news; last-id=0"}}); resp.Status != 200 {
		t.Errorf("the proxy following the link: %d %q", resp.Status, resp.Body)
	}
	if strings.Contains(logs.String(), token) || strings.Contains(logs.String(), "access_token") {
		t.Errorf("the token reached the log: %s", logs.String())
	}
}

// failingStore is a history that cannot be read.
type failingStore struct{ history.Store }

func (failingStore) Last(context.Context, string) (string, error) {
	return "", errors.New("throttled")
}

// When the history cannot be read, a plain client and the proxy's follow
// get a 503 (the proxy retries it); an SSE client gets a stream that ends
// at once, since EventSource would give up for good on an error status
// but reconnects, with its Last-Event-ID, when a stream ends.
func TestStreamWhenTheHistoryFails(t *testing.T) {
	h := &Handler{History: failingStore{}, DefaultChannel: "news", Logger: slog.New(slog.DiscardHandler)}
	for _, tc := range []struct {
		name   string
		header http.Header
		status int
		body   string
	}{
		{"plain", nil, 503, "cannot read the channel history, try again\n"},
		{"SSE", with(sse, "Last-Event-ID", "3"), 200, "retry: 3000\n: cannot read the channel history, reconnecting\n\n"},
		{"the proxy following", http.Header{"Grip-Last": {"news.sse; last-id=3"}}, 503, "cannot read the channel history, try again\n"},
	} {
		resp, err := h.Handle(t.Context(), &apigw.Request{Method: "GET", Query: url.Values{}, Header: tc.header})
		if err != nil || resp.Status != tc.status || string(resp.Body) != tc.body || resp.Header.Get("Grip-Hold") != "" {
			t.Errorf("%s: %d %q %v, %v; want %d %q and no hold", tc.name, resp.Status, resp.Body, resp.Header, err, tc.status, tc.body)
		}
	}
}

// With GRIP_PREFIX the proxy names the prefixed channel in Grip-Last; the
// link names the client's.
func TestStreamFollowedWithAPrefix(t *testing.T) {
	h, _ := withHistory(t, map[string]string{"GRIP_PREFIX": "app-"}, headlines(3)...)
	resp := get(t, h, "channel=news", http.Header{"Grip-Last": {"app-news.sse; last-id=2"}})
	if string(resp.Body) != "id: 3\nevent: message\ndata: headline 3\n\n" || resp.Header.Get("Grip-Channel") != "app-news.sse; prev-id=3" ||
		resp.Header.Get("Grip-Link") != "<?channel=news>; rel=next; timeout=120" {
		t.Errorf("got %q %v", resp.Body, resp.Header)
	}
	if resp := get(t, h, "channel=news", http.Header{"Grip-Last": {"news; last-id=2"}}); resp.Status != 400 {
		t.Errorf("Grip-Last without the prefix: %d %q, want 400", resp.Status, resp.Body)
	}
}
