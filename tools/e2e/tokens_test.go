package e2e

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// tokenRoute is one way a client listens: a plain stream, an SSE stream, a long-poll.
type tokenRoute struct {
	name, path string
	header     http.Header
}

var tokenRoutes = []tokenRoute{
	{"stream", "/stream", nil},
	{"SSE", "/stream", http.Header{"Accept": {"text/event-stream"}}},
	{"long-poll", "/longpoll", nil},
}

// listen opens route on channel through the token stack's Pushpin with
// token (in the Authorization header, or as access_token when inQuery), and
// returns the status, the WWW-Authenticate challenge and the first bytes of
// the body. A served stream is held open: the body read stops at the first
// line; a served long-poll is held until publish releases it.
func listen(t *testing.T, ctx context.Context, proxyURL string, r tokenRoute, channel, token string, inQuery bool) (int, string, string) {
	t.Helper()
	q := url.Values{"channel": {channel}}
	if token != "" && inQuery {
		q.Set("access_token", token)
	}
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, proxyURL+r.path+"?"+q.Encode(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range r.header {
		req.Header[k] = v
	}
	if token != "" && !inQuery {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", r.name, channel, err)
	}
	defer resp.Body.Close()
	buf := make([]byte, 256)
	n, _ := io.ReadAtLeast(resp.Body, buf, 1)
	return resp.StatusCode, resp.Header.Get("WWW-Authenticate"), string(buf[:n])
}

// algNone is an unsigned token, as an attacker writes one.
func algNone(c jwt.MapClaims) string {
	enc := base64.RawURLEncoding
	payload, _ := json.Marshal(c)
	return enc.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + enc.EncodeToString(payload) + "."
}

// Through a real Pushpin with client tokens on, stream (plain and SSE) and
// long-poll serve a channel only to a token that verifies and grants it;
// every refusal is RFC 6750's, and the key set rotates without a cold start.
func TestClientTokensStreamAndLongpoll(t *testing.T) {
	needs(t, "StreamFunction", "LongpollFunction", "PublishFunction")
	s, iss := tokenStack(t)
	ctx := testContext(t, 2*time.Minute)

	// The key set rotates after the functions' cold start: tokens signed
	// with the new key verify once a function fetches the set again, which
	// it does (at most once a minute) for a kid it has not seen.
	firstKid := iss.rsa
	// An attacker's HS256 token signed with the public key, as PEM (the
	// classic confusion attack on verifiers that take the key's bytes).
	pubPEM := iss.publicPEM(t)
	// A key not in the JWKS, used under the first key's kid.
	stranger, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	iss.Rotate(t)

	for _, r := range tokenRoutes {
		t.Run(r.name, func(t *testing.T) {
			channel := uniqueChannel("tok")
			grant := iss.claims(channel)
			with := func(change func(jwt.MapClaims)) jwt.MapClaims {
				c := iss.claims(channel)
				change(c)
				return c
			}
			refusals := []struct {
				name, token, challenge string
				status                 int
			}{
				{"no token", "", "Bearer", 401},
				{"expired", iss.RS256(t, with(func(c jwt.MapClaims) { c["exp"] = time.Now().Add(-time.Hour).Unix() })), `error="invalid_token"`, 401},
				{"wrong aud", iss.RS256(t, with(func(c jwt.MapClaims) { c["aud"] = "another-app" })), `error="invalid_token"`, 401},
				{"wrong iss", iss.RS256(t, with(func(c jwt.MapClaims) { c["iss"] = "https://evil.example" })), `error="invalid_token"`, 401},
				{"alg none", algNone(grant), `error="invalid_token"`, 401},
				{"HS256 with the public key", sign(t, jwt.SigningMethodHS256, iss.rsa, pubPEM, grant), `error="invalid_token"`, 401},
				{"a key not in the JWKS, known kid", sign(t, jwt.SigningMethodRS256, firstKid, stranger, grant), `error="invalid_token"`, 401},
				{"channel not granted", iss.RS256(t, iss.claims("other-"+channel)), `error="insufficient_scope"`, 403},
			}
			for _, tc := range refusals {
				status, challenge, body := listen(t, ctx, s.ProxyURL(), r, channel, tc.token, false)
				if status != tc.status || !strings.HasPrefix(challenge, "Bearer") || !strings.Contains(challenge, tc.challenge) {
					t.Errorf("%s: %d %q (%q), want %d with a challenge containing %s", tc.name, status, challenge, body, tc.status, tc.challenge)
				}
				if tc.token != "" && strings.Contains(body, tc.token) {
					t.Errorf("%s: the refusal echoes the token", tc.name)
				}
			}
			if challenge := func() string { _, c, _ := listen(t, ctx, s.ProxyURL(), r, channel, "", false); return c }(); challenge != "Bearer" {
				t.Errorf("no token: challenge %q, want a bare Bearer (RFC 6750 §3.1)", challenge)
			}

			served := []struct {
				name, token string
				inQuery     bool
			}{
				{"RS256 in the header, a key rotated in after the cold start", iss.RS256(t, grant), false},
				{"RS256 with the first key", sign(t, jwt.SigningMethodRS256, firstKid, iss.keys[firstKid], grant), true},
				{"ES256 in the query", iss.ES256(t, grant), true},
				{"a prefix grant", iss.RS256(t, iss.claims("tok-*")), true},
			}
			defer func() {
				for _, tc := range served {
					checkNotLogged(t, tc.token)
				}
			}()
			for _, tc := range served {
				served := servedOn(t, ctx, s.ProxyURL(), r, channel, tc.token, tc.inQuery, func() {
					publishVia(t, ctx, s, text(channel, "for "+tc.name))
				})
				if !strings.Contains(served, "for "+tc.name) && !strings.Contains(served, "streaming "+channel) {
					t.Errorf("%s: served %q", tc.name, served)
				}
			}
		})
	}
}

// servedOn listens with a token that must be served: a stream answers at
// once (its first line), a long-poll after publish releases it.
func servedOn(t *testing.T, ctx context.Context, proxyURL string, r tokenRoute, channel, token string, inQuery bool, publish func()) string {
	t.Helper()
	type answer struct {
		status int
		body   string
	}
	done := make(chan answer, 1)
	go func() {
		status, _, body := listen(t, ctx, proxyURL, r, channel, token, inQuery)
		done <- answer{status, body}
	}()
	if r.path == "/longpoll" {
		time.Sleep(500 * time.Millisecond) // held by Pushpin before the publish
		publish()
	}
	a := <-done
	if a.status != http.StatusOK {
		t.Fatalf("%s on %s: status %d (%s), want 200", r.name, channel, a.status, a.body)
	}
	return a.body
}

// checkNotLogged fails when a function's log line holds the token (the
// functions' lines are prefixed "[<LogicalId>] " in the stack's log).
func checkNotLogged(t *testing.T, token string) {
	t.Helper()
	for _, line := range strings.Split(stackLogs.tail(4<<20), "\n") {
		if strings.HasPrefix(line, "[") && strings.Contains(line, "Function] ") && strings.Contains(line, token) {
			t.Errorf("a function logged a client token: %.120s", line)
			return
		}
	}
}
