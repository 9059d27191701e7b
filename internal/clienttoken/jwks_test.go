package clienttoken

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/MicahParks/jwkset"
	"github.com/golang-jwt/jwt/v5"
)

// TestJWKSRotation proves a key added to the set is picked up by the same
// Verifier, with at most one fetch a minute for unknown kids.
func TestJWKSRotation(t *testing.T) {
	k := keys()
	srv := newJWKSServer(t, false, jwk{"old", jwkset.AlgRS256, &k.rsa.PublicKey})
	v := newJWKSVerifier(t, srv)
	verify := func(key any, m jwt.SigningMethod, kid string) *Refusal {
		_, refused := v.Verify(t.Context(), bearer(sign(t, m, key, kid, claimsAt())), nil)
		return refused
	}
	if got := srv.fetches.Load(); got != 1 {
		t.Fatalf("fetches after New = %d, want 1 (eager)", got)
	}
	if r := verify(k.rsa, jwt.SigningMethodRS256, "old"); r != nil {
		t.Fatal(r)
	}

	srv.serve(t, jwk{"old", jwkset.AlgRS256, &k.rsa.PublicKey}, jwk{"new", jwkset.AlgES256, &k.ec.PublicKey})
	if r := verify(k.ec, jwt.SigningMethodES256, "new"); r != nil {
		t.Fatalf("rotated key: %v", r)
	}
	if got := srv.fetches.Load(); got != 2 {
		t.Fatalf("fetches after the new kid = %d, want 2", got)
	}

	// A third key within the minute: refused at once, no fetch.
	srv.serve(t, jwk{"new", jwkset.AlgES256, &k.ec.PublicKey}, jwk{"newer", jwkset.AlgES256, &k.ec2.PublicKey})
	for range 5 {
		start := time.Now()
		r := verify(k.ec2, jwt.SigningMethodES256, "newer")
		if r == nil || !strings.Contains(r.Reason, "kid") {
			t.Fatalf("kid within the minute: %v", r)
		}
		if d := time.Since(start); d > time.Second {
			t.Fatalf("a refused unknown kid waited %v for the rate limiter", d)
		}
	}
	if got := srv.fetches.Load(); got != 2 {
		t.Fatalf("fetches after unknown kids within the minute = %d, want still 2", got)
	}
}

// TestJWKSRefreshAgainAfterInterval proves the limit is a rate, not a
// one-off: with the interval shortened, the next unknown kid fetches again.
func TestJWKSRefreshAgainAfterInterval(t *testing.T) {
	k := keys()
	srv := newJWKSServer(t, false, jwk{"a", jwkset.AlgRS256, &k.rsa.PublicKey})
	v, err := New(t.Context(), Config{Issuer: testIss, Audience: testAud, JWKSURL: srv.URL, now: fixedClock,
		unknownKIDEvery: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	for i, kid := range []string{"b", "c"} {
		srv.serve(t, jwk{kid, jwkset.AlgRS256, &k.rsa2.PublicKey})
		if _, r := v.Verify(t.Context(), bearer(sign(t, jwt.SigningMethodRS256, k.rsa2, kid, claimsAt())), nil); r != nil {
			t.Fatalf("kid %s: %v", kid, r)
		}
		if got, want := srv.fetches.Load(), int32(2+i); got != want {
			t.Fatalf("fetches = %d, want %d", got, want)
		}
	}
}

// TestJWKSKeyChecks proves a key is used only for the alg it declares and
// fits: a JWK whose alg differs from the token's, a 1024-bit RSA key.
func TestJWKSKeyChecks(t *testing.T) {
	k := keys()
	srv := newJWKSServer(t, false,
		jwk{"rs512", jwkset.AlgRS512, &k.rsa.PublicKey},
		jwk{"noalg-ec", "", &k.ec.PublicKey},
		jwk{"small", jwkset.AlgRS256, &k.rsaSmall.PublicKey})
	v := newJWKSVerifier(t, srv)
	for _, tc := range []struct {
		name string
		m    jwt.SigningMethod
		key  any
		kid  string
		ok   bool
	}{
		{"RS256 under a key declared RS512", jwt.SigningMethodRS256, k.rsa, "rs512", false},
		{"ES256 under an EC key without alg", jwt.SigningMethodES256, k.ec, "noalg-ec", true},
		{"RS256 under an EC key without alg", jwt.SigningMethodRS256, k.rsa, "noalg-ec", false},
		{"RS256 with a 1024-bit key", jwt.SigningMethodRS256, k.rsaSmall, "small", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, r := v.Verify(t.Context(), bearer(sign(t, tc.m, tc.key, tc.kid, claimsAt())), nil)
			if (r == nil) != tc.ok {
				t.Fatalf("refusal = %v, want ok=%v", r, tc.ok)
			}
		})
	}
}

// TestJWKSConfig proves the cold-start checks of the key set: https when
// deployed, a set that answers and holds a usable key, and a bounded wait.
func TestJWKSConfig(t *testing.T) {
	k := keys()
	good := func(t *testing.T, tls bool) *jwksServer {
		return newJWKSServer(t, tls, jwk{"r", jwkset.AlgRS256, &k.rsa.PublicKey})
	}
	status := func(code int, body string) string {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(code)
			w.Write([]byte(body))
		}))
		t.Cleanup(srv.Close)
		return srv.URL
	}
	for _, tc := range []struct {
		name    string
		cfg     func(t *testing.T) Config
		wantErr string // "" for success
	}{
		{"local http", func(t *testing.T) Config { return Config{JWKSURL: good(t, false).URL} }, ""},
		{"deployed https", func(t *testing.T) Config {
			s := good(t, true)
			return Config{JWKSURL: s.URL, Deployed: true, HTTPClient: s.Client()}
		}, ""},
		{"deployed https redirected to http", func(t *testing.T) Config {
			plain := good(t, false)
			tls := httptest.NewTLSServer(http.RedirectHandler(plain.URL, http.StatusFound))
			t.Cleanup(tls.Close)
			return Config{JWKSURL: tls.URL, Deployed: true, HTTPClient: tls.Client()}
		}, "redirect refused"},
		{"local redirect", func(t *testing.T) Config {
			plain := good(t, false)
			srv := httptest.NewServer(http.RedirectHandler(plain.URL, http.StatusFound))
			t.Cleanup(srv.Close)
			return Config{JWKSURL: srv.URL}
		}, ""},
		{"deployed http", func(t *testing.T) Config { return Config{JWKSURL: good(t, false).URL, Deployed: true} }, "must be https"},
		{"not a URL", func(*testing.T) Config { return Config{JWKSURL: "jwks.json"} }, "not an http(s) URL"},
		{"404", func(*testing.T) Config { return Config{JWKSURL: status(404, "no")} }, "cannot fetch"},
		{"empty set", func(*testing.T) Config { return Config{JWKSURL: status(200, `{"keys":[]}`)} }, "no RS256"},
		{"openid-configuration", func(*testing.T) Config {
			return Config{JWKSURL: status(200, `{"issuer":"https://issuer.example","jwks_uri":"https://issuer.example/jwks"}`)}
		}, "not the issuer"},
		{"only a small RSA key", func(t *testing.T) Config {
			return Config{JWKSURL: newJWKSServer(t, false, jwk{"s", jwkset.AlgRS256, &k.rsaSmall.PublicKey}).URL}
		}, "no RS256"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := tc.cfg(t)
			cfg.Issuer, cfg.Audience = testIss, testAud
			v, err := New(t.Context(), cfg)
			if tc.wantErr == "" {
				if err != nil || v == nil {
					t.Fatalf("New = %v, %v", v, err)
				}
				return
			}
			if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("err = %v, want ErrConfig with %q", err, tc.wantErr)
			}
		})
	}
}

// TestJWKSSlowProvider proves a provider that never answers fails the cold
// start after JWKSTimeout instead of holding it.
func TestJWKSSlowProvider(t *testing.T) {
	if testing.Short() {
		t.Skip("waits JWKSTimeout")
	}
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(srv.Close)
	defer close(release)
	start := time.Now()
	_, err := New(t.Context(), Config{Issuer: testIss, Audience: testAud, JWKSURL: srv.URL})
	if d := time.Since(start); !errors.Is(err, ErrConfig) || d > JWKSTimeout+2*time.Second {
		t.Fatalf("New = %v after %v, want ErrConfig within %v", err, d, JWKSTimeout)
	}
}
