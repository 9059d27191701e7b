package main

import (
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/faas-grip/faas-grip-go/internal/clienttoken"
	"github.com/faas-grip/faas-grip-go/internal/grip/apigw"
	"github.com/faas-grip/faas-grip-go/tools/eventtest"
)

// The chat with client tokens on: HS256, as a local run sets them.
const (
	tokenIssuer   = "https://issuer.test"
	tokenAudience = "chat-tests"
	tokenSecret   = "0123456789abcdef0123456789abcdef"
)

func tokenEnv() map[string]string {
	return map[string]string{
		"GRIP_URL":            testGripURL,
		"CLIENT_TOKEN_ISSUER": tokenIssuer, "CLIENT_TOKEN_AUDIENCE": tokenAudience, "CLIENT_TOKEN_SECRET": tokenSecret,
	}
}

// mint signs a token for sub/name granting channels, valid for an hour
// from issued.
func mint(t testing.TB, secret, sub, name string, issued time.Time, channels ...string) string {
	t.Helper()
	tok, err := clienttoken.SignHS256([]byte(secret), tokenIssuer, tokenAudience,
		clienttoken.Claims{Subject: sub, Name: name, Expiry: issued.Add(time.Hour), Channels: channels}, issued)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func withBearer(r *apigw.Request, token string) *apigw.Request {
	r.Header.Set("Authorization", "Bearer "+token)
	return r
}

func withQueryToken(r *apigw.Request, token string) *apigw.Request {
	r.Query = url.Values{"access_token": {token}}
	return r
}

// openRequest is the first request of a connection: OPEN, nothing else.
func openRequest(t testing.TB) *apigw.Request {
	t.Helper()
	r := wohRequest(t, nil)
	r.Body = []byte("OPEN\r\n")
	return r
}

// boundMeta is what a response binds (Set-Meta-*), as the proxy sends it
// back on the connection's next request.
func boundMeta(resp *apigw.Response) map[string]string {
	meta := map[string]string{}
	for k, v := range resp.Header {
		if name, ok := strings.CutPrefix(k, "Set-Meta-"); ok {
			meta[name] = v[0]
		}
	}
	return meta
}

// A WebSocket refused at OPEN never reaches the room: the answer is the
// RFC 6750 status with its challenge, not WebSocket-over-HTTP, so nothing
// accepts, subscribes, binds meta or is published.
func TestChatTokenRefusedAtOpen(t *testing.T) {
	now := time.Now()
	tests := []struct {
		name      string
		req       func(*apigw.Request) *apigw.Request
		status    int
		challenge string
	}{
		{"no token", func(r *apigw.Request) *apigw.Request { return r }, 401, "Bearer"},
		{"signed with another secret", func(r *apigw.Request) *apigw.Request {
			return withBearer(r, mint(t, strings.Repeat("x", 32), "alice", "Alice", now, "chat"))
		}, 401, `Bearer error="invalid_token", error_description="invalid token"`},
		{"expired", func(r *apigw.Request) *apigw.Request {
			return withBearer(r, mint(t, tokenSecret, "alice", "Alice", now.Add(-2*time.Hour), "chat"))
		}, 401, `Bearer error="invalid_token", error_description="the token expired"`},
		{"channel not granted", func(r *apigw.Request) *apigw.Request {
			return withQueryToken(r, mint(t, tokenSecret, "alice", "Alice", now, "news", "chat-*"))
		}, 403, `Bearer error="insufficient_scope"`},
		{"two tokens", func(r *apigw.Request) *apigw.Request {
			tok := mint(t, tokenSecret, "alice", "Alice", now, "chat")
			return withQueryToken(withBearer(r, tok), tok)
		}, 400, `Bearer error="invalid_request"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h, pub := newHandler(t, tokenEnv())
			resp, err := eventtest.Serve(t, h.Lambda, tc.req(openRequest(t)))
			if err != nil {
				t.Fatal(err)
			}
			if resp.Status != tc.status || resp.Header.Get("WWW-Authenticate") != tc.challenge {
				t.Errorf("status %d, WWW-Authenticate %q; want %d, %q", resp.Status, resp.Header.Get("WWW-Authenticate"), tc.status, tc.challenge)
			}
			if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
				t.Errorf("Content-Type %q: a refusal is not WebSocket-over-HTTP", ct)
			}
			if strings.Contains(string(resp.Body), "OPEN") || strings.Contains(string(resp.Body), "subscribe") || len(boundMeta(resp)) != 0 {
				t.Errorf("the refusal accepted, subscribed or bound something: %q %v", resp.Body, resp.Header)
			}
			if len(pub.Calls) != 0 {
				t.Errorf("published %q", published(pub.Calls))
			}
		})
	}
}

// open opens a connection with token in the Authorization header and
// returns what it bound.
func open(t *testing.T, h *deployed, token string) (events []string, meta map[string]string) {
	t.Helper()
	resp, err := eventtest.Serve(t, h.Lambda, withBearer(openRequest(t), token))
	if err != nil || resp.Status != 200 {
		t.Fatalf("OPEN: %v, %v %q", err, resp.Status, resp.Body)
	}
	return eventtest.Events(t, resp.Body), boundMeta(resp)
}

// With tokens on, messages go out under the token's name, else its sub,
// whatever nick a meta header says; the token may come in the header or
// the query.
func TestChatTokenNamesTheSender(t *testing.T) {
	for _, tc := range []struct{ name, sub, tokenName, from string }{
		{"the name claim", "u-1", "Alice", "Alice"},
		{"no name: the sub", "u-2", "", "u-2"},
		{"a blank-looking name: the sub", "u-3", "\u3164", "u-3"},
		{"a non-ASCII name", "u-4", "Zoë 🌟", "Zoë 🌟"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, pub := newHandler(t, tokenEnv())
			token := mint(t, tokenSecret, tc.sub, tc.tokenName, time.Now(), "chat")
			events, meta := open(t, h, token)
			want := []string{"OPEN", subscribe, `TEXT m:{"type":"notice","code":"welcome","text":"welcome! you are ` + tc.from + `"}`}
			if !reflect.DeepEqual(events, want) {
				t.Errorf("OPEN answered %q, want %q", events, want)
			}
			meta["Nick"] = "mallory" // a nick from before tokens were on
			resp, _ := eventtest.Serve(t, h.Lambda, withQueryToken(wohRequest(t, meta, "hello"), token))
			if got := publishedFrames(t, pub); len(got) != 1 || got[0].From != tc.from || got[0].Text != "hello" {
				t.Errorf("published %+v, want hello from %q", got, tc.from)
			}
			if n := decodeFrames(t, resp.Body); len(n) != 0 {
				t.Errorf("told the sender %+v", n)
			}
		})
	}
}

func TestChatTokenNickIsRefused(t *testing.T) {
	h, pub := newHandler(t, tokenEnv())
	token := mint(t, tokenSecret, "u-1", "Alice", time.Now(), "chat")
	_, meta := open(t, h, token)
	resp, _ := eventtest.Serve(t, h.Lambda, withBearer(wohRequest(t, meta, "/nick bob"), token))
	want := []string{`TEXT m:{"type":"notice","code":"nick-locked","text":"your name comes from your sign-in: you are Alice"}`}
	if got := eventtest.Events(t, resp.Body); !reflect.DeepEqual(got, want) {
		t.Errorf("events %q, want %q", got, want)
	}
	if _, ok := boundMeta(resp)["Nick"]; ok || len(pub.Calls) != 0 {
		t.Errorf("bound %v, published %q: /nick must change nothing", boundMeta(resp), published(pub.Calls))
	}
}

// The first message after the token expires (Claims.Expired: exp plus the
// leeway) gets a token-expired notice and closes the connection; neither it
// nor what follows it is broadcast. A second earlier it still goes out.
func TestChatTokenExpiryClosesAtNextMessage(t *testing.T) {
	issued := time.Now()
	token := mint(t, tokenSecret, "u-1", "Alice", issued, "chat")
	expiredAt := issued.Add(time.Hour).Truncate(time.Second).Add(clienttoken.Leeway) // exp is whole seconds

	h, pub := newHandler(t, tokenEnv())
	clock := &fakeClock{now: issued}
	h.Now = clock.Now
	_, meta := open(t, h, token)

	clock.now = expiredAt.Add(-time.Second)
	if _, err := eventtest.Serve(t, h.Lambda, withBearer(wohRequest(t, meta, "just in time"), token)); err != nil || len(pub.Calls) != 1 {
		t.Fatalf("a second before expiry: published %q, %v", published(pub.Calls), err)
	}

	clock.now = expiredAt
	resp, _ := eventtest.Serve(t, h.Lambda, withBearer(wohRequest(t, meta, "too late", "and more"), token))
	want := []string{
		`TEXT m:{"type":"notice","code":"token-expired","text":"your sign-in expired: sign in again to keep chatting"}`,
		"CLOSE \x03\xf0token-expired", // 1008, policy violation
	}
	if got := eventtest.Events(t, resp.Body); !reflect.DeepEqual(got, want) {
		t.Errorf("events %q, want %q", got, want)
	}
	if len(pub.Calls) != 1 {
		t.Errorf("published %q after expiry", published(pub.Calls))
	}
}

// A connection opened while tokens were off has no bound user: its token
// (repeated on every request) is checked at its next request, then bound.
func TestChatTokenConnectionFromBeforeTokens(t *testing.T) {
	h, pub := newHandler(t, tokenEnv())
	resp, _ := eventtest.Serve(t, h.Lambda, wohRequest(t, map[string]string{"Nick": "mallory"}, "hello"))
	want := []string{
		`TEXT m:{"type":"notice","code":"token-refused","text":"a token is required: send Authorization: Bearer \u003ctoken\u003e, or access_token=\u003ctoken\u003e in the query"}`,
		"CLOSE \x03\xf0token-refused",
	}
	if got := eventtest.Events(t, resp.Body); !reflect.DeepEqual(got, want) || len(pub.Calls) != 0 {
		t.Errorf("without a token: events %q, published %q; want %q and nothing", got, published(pub.Calls), want)
	}

	token := mint(t, tokenSecret, "u-1", "Alice", time.Now(), "chat")
	resp, _ = eventtest.Serve(t, h.Lambda, withBearer(wohRequest(t, map[string]string{"Nick": "mallory"}, "hello"), token))
	if got := publishedFrames(t, pub); len(got) != 1 || got[0].From != "Alice" {
		t.Errorf("with a token: published %+v, want hello from Alice", got)
	}
	if m := boundMeta(resp); m["Chat-User"] != "Alice" || m["Chat-Token-Exp"] == "" {
		t.Errorf("bound %v, want the user", m)
	}
}

// Tokens off (the default), a token is ignored and the chat is as before.
func TestChatTokensOffIgnoresTokens(t *testing.T) {
	h, pub := newHandler(t, map[string]string{"GRIP_URL": testGripURL})
	resp, _ := eventtest.Serve(t, h.Lambda, withBearer(openRequest(t), "not-even-a-jwt"))
	if resp.Status != http.StatusOK || len(boundMeta(resp)) != 0 {
		t.Fatalf("OPEN: %d, bound %v", resp.Status, boundMeta(resp))
	}
	eventtest.Serve(t, h.Lambda, wohRequest(t, map[string]string{"Chat-User": "Alice", "Chat-Token-Exp": "1"}, "hi"))
	if got := publishedFrames(t, pub); len(got) != 1 || got[0].From != defaultNick {
		t.Errorf("published %+v, want hi from %s", got, defaultNick)
	}
}
