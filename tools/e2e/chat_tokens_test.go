package e2e

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/golang-jwt/jwt/v5"

	"github.com/faas-grip/faas-grip-go/internal/clienttoken"
	"github.com/faas-grip/faas-grip-go/tools/devstack"
)

// chatURL is the token stack's chat WebSocket, with token as access_token
// when there is one.
func chatURL(s *devstack.Stack, token string) string {
	u := "ws" + strings.TrimPrefix(s.ProxyURL(), "http") + "/chat"
	if token != "" {
		u += "?access_token=" + url.QueryEscape(token)
	}
	return u
}

func bearer(token string) http.Header { return http.Header{"Authorization": {"Bearer " + token}} }

// With tokens on, through a real Pushpin: tokens in the Authorization header
// and in the query both work, messages carry the verified name (a Meta-*
// header from the client does not change it), and /nick is refused.
func TestChatTokens(t *testing.T) {
	needs(t, "ChatFunction")
	s, iss := tokenStack(t)
	ctx := testContext(t, 30*time.Second)

	forged := bearer(iss.RS256(t, iss.claims("chat")))
	forged.Set("Meta-Chat-User", "Mallory")
	alice := dialChatURL(t, ctx, chatURL(s, ""), s.ControlURL(), "alice", forged)

	noName := iss.claims("chat*")
	noName["sub"] = "bob-7f3a"
	delete(noName, "name")
	bob := dialChatURL(t, ctx, chatURL(s, iss.ES256(t, noName)), s.ControlURL(), "bob", nil)

	alice.send(ctx, "hi, I am who my token says")
	for _, c := range []*chatClient{alice, bob} {
		c.expect(ctx, chatMessage("Alice", "hi, I am who my token says"))
	}
	bob.send(ctx, "and I am my sub")
	for _, c := range []*chatClient{alice, bob} {
		c.expect(ctx, chatMessage("bob-7f3a", "and I am my sub"))
	}
	alice.send(ctx, "/nick admin")
	alice.expect(ctx, chatNotice("nick-locked", "your name comes from your sign-in: you are Alice"))
}

// A WebSocket whose token is missing, bad or does not grant the chat fails
// its handshake with the RFC 6750 status: the chat answers the OPEN request
// with it and Pushpin passes it, with the challenge, to the client.
func TestChatTokenRefusedAtHandshake(t *testing.T) {
	needs(t, "ChatFunction")
	s, iss := tokenStack(t)
	ctx := testContext(t, 30*time.Second)

	with := func(change func(jwt.MapClaims)) jwt.MapClaims {
		c := iss.claims("chat")
		change(c)
		return c
	}
	none, err := jwt.NewWithClaims(jwt.SigningMethodNone, iss.claims("chat")).SignedString(jwt.UnsafeAllowNoneSignatureType)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		url       string
		header    http.Header
		status    int
		challenge string
	}{
		{"no token", chatURL(s, ""), nil, 401, "Bearer"},
		{"expired", chatURL(s, iss.RS256(t, with(func(c jwt.MapClaims) { c["exp"] = time.Now().Add(-2 * time.Minute).Unix() }))), nil, 401, `Bearer error="invalid_token", error_description="the token expired"`},
		{"wrong aud", chatURL(s, ""), bearer(iss.ES256(t, with(func(c jwt.MapClaims) { c["aud"] = "another-app" }))), 401, `Bearer error="invalid_token", error_description="invalid token"`},
		{"wrong iss", chatURL(s, iss.RS256(t, with(func(c jwt.MapClaims) { c["iss"] = "https://evil.test/" }))), nil, 401, `Bearer error="invalid_token", error_description="invalid token"`},
		{"alg none", chatURL(s, none), nil, 401, `Bearer error="invalid_token", error_description="invalid token"`},
		{"HS256 signed with the public key", chatURL(s, sign(t, jwt.SigningMethodHS256, iss.rsa, iss.publicPEM(t), iss.claims("chat"))), nil, 401, `Bearer error="invalid_token", error_description="invalid token"`},
		{"a key not in the JWKS", chatURL(s, ""), bearer(iss.forged(t, iss.claims("chat"))), 401, `Bearer error="invalid_token", error_description="invalid token"`},
		{"chat not granted", chatURL(s, ""), bearer(iss.RS256(t, iss.claims("news", "chat-*"))), 403, `Bearer error="insufficient_scope"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			conn, resp, err := websocket.Dial(ctx, tc.url, &websocket.DialOptions{HTTPHeader: tc.header})
			if err == nil {
				conn.CloseNow()
				t.Fatal("the handshake succeeded")
			}
			if resp == nil {
				t.Fatalf("no HTTP answer: %v", err)
			}
			if resp.StatusCode != tc.status || resp.Header.Get("WWW-Authenticate") != tc.challenge {
				t.Errorf("status %d, WWW-Authenticate %q; want %d, %q", resp.StatusCode, resp.Header.Get("WWW-Authenticate"), tc.status, tc.challenge)
			}
		})
	}
}

// A token that expires while connected: the connection's next message gets
// a token-expired notice and the connection is closed (1008); the message
// reaches no one. The token's exp is 25 s ago, so with the 30 s leeway it
// opens now and expires about 5 s later (Claims.Expired).
func TestChatTokenExpiryClosesTheConnection(t *testing.T) {
	needs(t, "ChatFunction")
	s, iss := tokenStack(t)
	ctx := testContext(t, 30*time.Second)

	witnessClaims := iss.claims("chat")
	witnessClaims["name"] = "Witness"
	witness := dialChatURL(t, ctx, chatURL(s, iss.ES256(t, witnessClaims)), s.ControlURL(), "witness", nil)

	exp := time.Now().Add(-25 * time.Second).Unix()
	short := iss.claims("chat")
	short["exp"] = exp
	alice := dialChatURL(t, ctx, chatURL(s, iss.RS256(t, short)), s.ControlURL(), "alice", nil)
	alice.send(ctx, "still valid")
	witness.expect(ctx, chatMessage("Alice", "still valid"))

	time.Sleep(time.Until(time.Unix(exp, 0).Add(clienttoken.Leeway + 300*time.Millisecond)))
	alice.send(ctx, "too late")
	alice.expect(ctx, chatNotice("token-expired", "your sign-in expired: sign in again to keep chatting"))
	select {
	case _, open := <-alice.msgs:
		if open {
			t.Fatal("a message after the token-expired notice")
		}
		if err := <-alice.done; websocket.CloseStatus(err) != websocket.StatusPolicyViolation {
			t.Errorf("the connection ended with %v, want a close with 1008", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the connection is still open 5s after the token-expired notice")
	}

	// Whatever the witness gets before its own marker must not be "too late".
	witness.send(ctx, "marker")
	witness.waitFor(ctx, "the marker", func(m string) bool {
		if strings.Contains(m, "too late") {
			t.Errorf("the expired connection's message was broadcast: %s", m)
		}
		return withoutIDs(m) == chatMessage("Witness", "marker")
	})
}
