package sig

import (
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/faas-grip/faas-grip-go/internal/grip"
)

const policyKey = "s3cr3t-sig-key-never-logged-anywhere-at-all"

// policyFor builds the policy of a GRIP_URL as a function's cold start does.
func policyFor(t *testing.T, gripURL string, opts PolicyOptions) (*Policy, error) {
	t.Helper()
	cfg, err := grip.ParseConfig(gripURL, "")
	if err != nil {
		t.Fatal(err)
	}
	return NewPolicy(cfg.Endpoints, opts)
}

func signedHeader(t *testing.T, key string, claims jwt.MapClaims) http.Header {
	t.Helper()
	tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString([]byte(key))
	if err != nil {
		t.Fatal(err)
	}
	return http.Header{"Grip-Sig": {tok}}
}

func TestAuthorize(t *testing.T) {
	now := time.Now()
	valid := jwt.MapClaims{"iss": "pushpin", "exp": now.Add(time.Hour).Unix()}
	pushpin := "http://h:5561?verify-iss=pushpin&verify-key=" + policyKey
	tests := []struct {
		name     string
		gripURL  string
		required bool
		header   http.Header
		status   int    // 0: accepted
		code     string // the refusal's Code
	}{
		{"valid", pushpin, true, signedHeader(t, policyKey, valid), 0, ""},
		{"unsigned", pushpin, true, http.Header{}, 401, "missing"},
		{"wrong key", pushpin, true, signedHeader(t, "other", valid), 403, "signature"},
		{"expired", pushpin, true, signedHeader(t, policyKey, jwt.MapClaims{"iss": "pushpin", "exp": now.Add(-time.Minute).Unix()}), 403, "expired"},
		{"no exp", pushpin, true, signedHeader(t, policyKey, jwt.MapClaims{"iss": "pushpin"}), 403, "no-expiry"},
		{"wrong issuer", pushpin, true, signedHeader(t, policyKey, jwt.MapClaims{"iss": "mallory", "exp": now.Add(time.Hour).Unix()}), 403, "issuer"},
		{"alg none", pushpin, true, http.Header{"Grip-Sig": {"eyJhbGciOiJub25lIn0.eyJpc3MiOiJwdXNocGluIiwiZXhwIjo0MTAyNDQ0ODAwfQ."}}, 403, "algorithm"},
		{"second endpoint's key", "http://a:5561?verify-key=other, " + pushpin, true, signedHeader(t, policyKey, valid), 0, ""},
		{"legacy Fanout Cloud realm key", "https://api.fanout.io/realm/r1?iss=r1&key=base64:" + base64.StdEncoding.EncodeToString([]byte(policyKey)), true, signedHeader(t, policyKey, jwt.MapClaims{"iss": "fanout", "exp": now.Add(time.Hour).Unix()}), 0, ""},
		{"no key, required", "http://h:5561", true, signedHeader(t, policyKey, valid), 500, "unconfigured"},
		{"no key, not required", "http://h:5561", false, signedHeader(t, policyKey, valid), 0, ""},
		{"not required still needs the proxy", "", false, http.Header{}, 401, "missing"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := policyFor(t, tc.gripURL, PolicyOptions{Required: tc.required})
			if err != nil {
				t.Fatal(err)
			}
			r := p.Authorize(tc.header)
			if tc.status == 0 {
				if r != nil {
					t.Fatalf("refused: %v", r)
				}
				return
			}
			if r == nil || r.Status != tc.status || r.Code != tc.code {
				t.Fatalf("got %+v, want a %d refusal with code %q", r, tc.status, tc.code)
			}
			if strings.Contains(r.Message+r.Reason, policyKey) {
				t.Error("the refusal leaks the key")
			}
		})
	}
}

// Fastly Fanout signs with its published key and issuer fastly:<SID>: a
// Fastly GRIP_URL needs no verify-key, and a key of its own wins (see
// TestFastlyKeyNeedsTheServiceIssuer for what is refused).
func TestEndpointKey(t *testing.T) {
	const jwk = `{"kty":"EC","crv":"P-256","x":"a","y":"b"}`
	tests := []struct {
		name, gripURL, issuer, key string
	}{
		{"fastly token alone", "https://api.fastly.com/service/SID123?key=tok", "fastly:SID123", fastlyKey},
		{"fastly, host in capitals, trailing slash", "https://API.fastly.com/service/SID123/?key=tok", "fastly:SID123", fastlyKey},
		{"fastly with its issuer spelled out", "https://api.fastly.com/service/SID123?key=tok&verify-iss=fastly:SID123", "fastly:SID123", fastlyKey},
		{"fastly with explicit verify settings", "https://api.fastly.com/service/SID123?key=tok&verify-iss=custom&verify-key=" + url.QueryEscape(jwk), "custom", jwk},
		{"not fastly", "https://fastly.example/service/SID?key=tok", "", ""},
		{"pushpin", "http://h:5561?verify-iss=pushpin&verify-key=k", "pushpin", "k"},
		{"legacy realm key", "https://api.fanout.io/realm/r?iss=r&key=base64:a2V5", "", "base64:a2V5"},
		{"no key", "http://h:5561", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := grip.ParseConfig(tc.gripURL, "")
			if err != nil {
				t.Fatal(err)
			}
			if issuer, key, err := endpointKey(cfg.Endpoints[0]); issuer != tc.issuer || key != tc.key || err != nil {
				t.Errorf("got (%q, %q, %v), want (%q, %q)", issuer, key, err, tc.issuer, tc.key)
			}
		})
	}
	// The default key verifies: one ES256 verifier pinned to the issuer.
	p, err := policyFor(t, "https://api.fastly.com/service/S?key=tok", PolicyOptions{Required: true, Deployed: true})
	if err != nil || len(p.verifiers) != 1 || p.verifiers[0].algorithm() != "ES256" || p.verifiers[0].issuer != "fastly:S" {
		t.Fatalf("got %+v, %v", p, err)
	}
}

// A deployment must not verify Grip-Sig with a key anyone can guess:
// Pushpin's stock key in any spelling, or any short HMAC secret. The sample
// events carry tokens signed with the stock key that stay valid until 2100.
func TestDeployedWeakVerifyKeysRefused(t *testing.T) {
	random := func(n int) string {
		b := make([]byte, n)
		rand.Read(b)
		b[n-1] |= 1 // a trailing zero byte would not count
		return "base64:" + base64.StdEncoding.EncodeToString(b)
	}
	q := url.QueryEscape
	// The same weak keys followed by zero bytes, which HMAC pads with anyway.
	stockNUL := []byte(nulPadded("changeme", 32))
	r31NUL := make([]byte, 40)
	rand.Read(r31NUL[:31])
	r31NUL[30] |= 1
	b64NUL := "base64:" + base64.StdEncoding.EncodeToString(stockNUL)
	tests := []struct {
		name    string
		gripURL string
		weak    bool
	}{
		{"stock key as text", "http://p:5561?verify-iss=pushpin&verify-key=changeme", true},
		{"stock key in base64", "http://p:5561?verify-iss=pushpin&verify-key=" + q("base64:Y2hhbmdlbWU="), true},
		{"stock key in base64 without padding", "http://p:5561?verify-iss=pushpin&verify-key=" + q("base64:Y2hhbmdlbWU"), true},
		{"stock key as an oct JWK", "http://p:5561?verify-iss=pushpin&verify-key=" + q(`{"kty":"oct","k":"Y2hhbmdlbWU"}`), true},
		{"stock key as a legacy realm key", "http://p:5561?iss=pushpin&key=changeme", true},
		{"31 random bytes", "http://p:5561?verify-iss=pushpin&verify-key=" + q(random(31)), true},
		{"31 random bytes as a legacy realm key", "https://api.fanout.io/realm/r?iss=r&key=" + q(random(31)), true},
		{"stock key + NULs as text", "http://p:5561?verify-iss=pushpin&verify-key=" + q(string(stockNUL)), true},
		{"stock key + NULs in base64", "http://p:5561?verify-iss=pushpin&verify-key=" + q(b64NUL), true},
		{"stock key + NULs in base64 without padding", "http://p:5561?verify-iss=pushpin&verify-key=" + q("base64:"+base64.RawStdEncoding.EncodeToString(stockNUL)), true},
		{"stock key + NULs as an oct JWK", "http://p:5561?verify-iss=pushpin&verify-key=" + q(`{"kty":"oct","k":"`+b64url(stockNUL)+`"}`), true},
		{"stock key + NULs as a legacy realm key", "http://p:5561?iss=pushpin&key=" + q(string(stockNUL)), true},
		{"stock key + NULs as a legacy realm key in base64", "https://api.fanout.io/realm/r?iss=r&key=" + q(b64NUL), true},
		{"31 random bytes + NULs", "http://p:5561?verify-iss=pushpin&verify-key=" + q("base64:"+base64.StdEncoding.EncodeToString(r31NUL)), true},
		{"31 random bytes + NULs as a legacy realm key", "https://api.fanout.io/realm/r?iss=r&key=" + q("base64:"+base64.StdEncoding.EncodeToString(r31NUL)), true},
		{"32 random bytes", "http://p:5561?verify-iss=pushpin&verify-key=" + q(random(32)), false},
		{"32 random bytes as a legacy realm key", "https://api.fanout.io/realm/r?iss=r&key=" + q(random(32)), false},
		{"Fastly's ES256 public key", "https://api.fastly.com/service/S?key=tok&verify-iss=fastly:S&verify-key=" + q(fastlyKey), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := policyFor(t, tc.gripURL, PolicyOptions{Required: true, Deployed: true})
			if !tc.weak {
				if err != nil || len(p.verifiers) != 1 {
					t.Fatalf("strong key refused: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("a deployment loaded a weak verify key")
			}
			for _, want := range []string{"sig_key", "at least 32 bytes"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not say what to do (%q)", err, want)
				}
			}
			if strings.Contains(err.Error(), "Y2hhbmdlbWU") || strings.Contains(err.Error(), "\x00") || strings.Contains(err.Error(), "%00") || strings.Contains(err.Error(), "key=") && !strings.Contains(err.Error(), "key=redacted") && !strings.Contains(err.Error(), "verify-key=set") {
				t.Errorf("error %q quotes the key", err)
			}
		})
	}
}

// Local runs may verify with the stock key: the sample events are signed with it.
func TestLocalRunMayUseTheStockKey(t *testing.T) {
	for _, gripURL := range []string{
		"http://127.0.0.1:5561?verify-iss=pushpin&verify-key=changeme",
		"http://127.0.0.1:5561?verify-iss=pushpin&verify-key=" + url.QueryEscape("base64:Y2hhbmdlbWU="),
		"http://127.0.0.1:5561?iss=pushpin&key=changeme",
	} {
		p, err := policyFor(t, gripURL, PolicyOptions{Required: true})
		if err != nil || len(p.verifiers) != 1 {
			t.Errorf("%s: %v", gripURL, err)
		}
	}
}

func TestNewPolicyErrorsNeverEchoTheKey(t *testing.T) {
	_, err := policyFor(t, "http://127.0.0.1:5561?verify-key="+url.QueryEscape(`{"kty":"oct","k":"`+policyKey+`!!"}`), PolicyOptions{})
	if err == nil || strings.Contains(err.Error(), policyKey) {
		t.Errorf("got %v: want an error without the key", err)
	}
}
