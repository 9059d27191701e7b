package sig

import (
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

func TestCheckToken(t *testing.T) {
	ks := testKeys(t)
	hs := []byte(ks.secret)
	const fastlyIss = "fastly:SERVICEID"

	tests := []struct {
		name   string
		issuer string
		key    string // verifier key
		token  func(t *testing.T) string
		want   Status
		err    error
	}{
		// Valid tokens, one per algorithm.
		{"HS256 valid", "pushpin", ks.secret,
			func(t *testing.T) string { return sign(t, jwt.SigningMethodHS256, hs, claims("pushpin", time.Hour)) },
			Valid, nil},
		{"ES256 valid", fastlyIss, ks.ecPEM,
			func(t *testing.T) string {
				return sign(t, jwt.SigningMethodES256, ks.ec, claims(fastlyIss, time.Minute))
			},
			Valid, nil},
		{"RS256 valid", "", ks.rsaPEM,
			func(t *testing.T) string { return sign(t, jwt.SigningMethodRS256, ks.rsaKey, claims("x", time.Minute)) },
			Valid, nil},
		{"issuer not configured accepts any iss", "", ks.secret,
			func(t *testing.T) string { return sign(t, jwt.SigningMethodHS256, hs, claims("anyone", time.Hour)) },
			Valid, nil},
		{"issuer not configured accepts no iss", "", ks.secret,
			func(t *testing.T) string {
				return sign(t, jwt.SigningMethodHS256, hs, jwt.MapClaims{"exp": testNow.Add(time.Hour).Unix()})
			},
			Valid, nil},
		{"nbf in the past", "", ks.secret,
			func(t *testing.T) string {
				c := claims("pushpin", time.Hour)
				c["nbf"] = testNow.Add(-time.Second).Unix()
				return sign(t, jwt.SigningMethodHS256, hs, c)
			},
			Valid, nil},

		// Claims.
		{"expired", "pushpin", ks.secret,
			func(t *testing.T) string { return sign(t, jwt.SigningMethodHS256, hs, claims("pushpin", -time.Second)) },
			Invalid, ErrExpired},
		{"exp equal to now is expired", "pushpin", ks.secret,
			func(t *testing.T) string { return sign(t, jwt.SigningMethodHS256, hs, claims("pushpin", 0)) },
			Invalid, ErrExpired},
		{"expired ES256", fastlyIss, ks.ecPEM,
			func(t *testing.T) string {
				return sign(t, jwt.SigningMethodES256, ks.ec, claims(fastlyIss, -time.Hour))
			},
			Invalid, ErrExpired},
		{"missing exp", "pushpin", ks.secret,
			func(t *testing.T) string { return sign(t, jwt.SigningMethodHS256, hs, jwt.MapClaims{"iss": "pushpin"}) },
			Invalid, ErrNoExpiry},
		{"missing exp, no issuer configured", "", ks.secret,
			func(t *testing.T) string { return sign(t, jwt.SigningMethodHS256, hs, jwt.MapClaims{}) },
			Invalid, ErrNoExpiry},
		{"nbf in the future", "", ks.secret,
			func(t *testing.T) string {
				c := claims("pushpin", time.Hour)
				c["nbf"] = testNow.Add(time.Minute).Unix()
				return sign(t, jwt.SigningMethodHS256, hs, c)
			},
			Invalid, ErrNotYetValid},
		{"wrong iss", "pushpin", ks.secret,
			func(t *testing.T) string {
				return sign(t, jwt.SigningMethodHS256, hs, claims("someone-else", time.Hour))
			},
			Invalid, ErrIssuer},
		{"missing iss when one is configured", "pushpin", ks.secret,
			func(t *testing.T) string {
				return sign(t, jwt.SigningMethodHS256, hs, jwt.MapClaims{"exp": testNow.Add(time.Hour).Unix()})
			},
			Invalid, ErrIssuer},
		{"exp is not a number", "", ks.secret,
			func(t *testing.T) string {
				return sign(t, jwt.SigningMethodHS256, hs, jwt.MapClaims{"exp": "tomorrow"})
			},
			Invalid, ErrMalformed},

		// Wrong keys.
		{"HS256 wrong secret", "pushpin", ks.secret,
			func(t *testing.T) string {
				return sign(t, jwt.SigningMethodHS256, []byte("changeme"), claims("pushpin", time.Hour))
			},
			Invalid, ErrSignature},
		{"ES256 wrong key", fastlyIss, ks.ecPEM,
			func(t *testing.T) string {
				return sign(t, jwt.SigningMethodES256, ks.ecOther, claims(fastlyIss, time.Minute))
			},
			Invalid, ErrSignature},
		{"RS256 wrong key", "", ks.rsaPEM,
			func(t *testing.T) string {
				return sign(t, jwt.SigningMethodRS256, ks.rsaOther, claims("x", time.Minute))
			},
			Invalid, ErrSignature},
		{"tampered claims", "pushpin", ks.secret,
			func(t *testing.T) string {
				good := strings.Split(sign(t, jwt.SigningMethodHS256, hs, claims("pushpin", time.Hour)), ".")
				forged := strings.Split(sign(t, jwt.SigningMethodHS256, hs, claims("pushpin", 48*time.Hour)), ".")
				return good[0] + "." + forged[1] + "." + good[2]
			},
			Invalid, ErrSignature},

		// Algorithm pinning.
		{"alg none against HS256", "pushpin", ks.secret,
			func(t *testing.T) string {
				return sign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, claims("pushpin", time.Hour))
			},
			Invalid, ErrAlgorithm},
		{"alg none against ES256", fastlyIss, ks.ecPEM,
			func(t *testing.T) string {
				return sign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, claims(fastlyIss, time.Hour))
			},
			Invalid, ErrAlgorithm},
		{"HS256 signed with the RSA public key PEM", "", ks.rsaPEM,
			func(t *testing.T) string {
				return sign(t, jwt.SigningMethodHS256, []byte(ks.rsaPEM), claims("x", time.Hour))
			},
			Invalid, ErrAlgorithm},
		{"HS256 signed with the EC public key PEM", fastlyIss, ks.ecPEM,
			func(t *testing.T) string {
				return sign(t, jwt.SigningMethodHS256, []byte(ks.ecPEM), claims(fastlyIss, time.Hour))
			},
			Invalid, ErrAlgorithm},
		{"HS256 signed with the EC public key JWK", fastlyIss, ks.ecJWK,
			func(t *testing.T) string {
				return sign(t, jwt.SigningMethodHS256, []byte(ks.ecJWK), claims(fastlyIss, time.Hour))
			},
			Invalid, ErrAlgorithm},
		{"ES256 token against an HS256 secret", "", ks.secret,
			func(t *testing.T) string { return sign(t, jwt.SigningMethodES256, ks.ec, claims("x", time.Hour)) },
			Invalid, ErrAlgorithm},
		{"RS384 token against an RS256 key", "", ks.rsaPEM,
			func(t *testing.T) string { return sign(t, jwt.SigningMethodRS384, ks.rsaKey, claims("x", time.Hour)) },
			Invalid, ErrAlgorithm},
		{"PS256 token against an RS256 key", "", ks.rsaPEM,
			func(t *testing.T) string { return sign(t, jwt.SigningMethodPS256, ks.rsaKey, claims("x", time.Hour)) },
			Invalid, ErrAlgorithm},
		{"no alg in header", "", ks.secret,
			func(t *testing.T) string {
				good := strings.Split(sign(t, jwt.SigningMethodHS256, hs, claims("x", time.Hour)), ".")
				return b64url([]byte(`{"typ":"JWT"}`)) + "." + good[1] + "." + good[2]
			},
			Invalid, ErrAlgorithm},

		// Garbage.
		{"empty", "", ks.secret, func(*testing.T) string { return "" }, Invalid, ErrMalformed},
		{"one segment", "", ks.secret, func(*testing.T) string { return "garbage" }, Invalid, ErrMalformed},
		{"three junk segments", "", ks.secret, func(*testing.T) string { return "a.b.c" }, Invalid, ErrMalformed},
		{"header not JSON", "", ks.secret,
			func(*testing.T) string { return b64url([]byte("nope")) + ".e30.c2ln" }, Invalid, ErrMalformed},
		{"signature not base64url", "", ks.secret,
			func(t *testing.T) string {
				good := strings.Split(sign(t, jwt.SigningMethodHS256, hs, claims("x", time.Hour)), ".")
				return good[0] + "." + good[1] + ".!!!"
			},
			Invalid, ErrMalformed},
		{"non-canonical base64 signature", "", ks.secret,
			func(t *testing.T) string {
				// 32 signature bytes leave 2 unused bits in the last
				// character; setting one gives a second spelling.
				token := sign(t, jwt.SigningMethodHS256, hs, claims("x", time.Hour))
				const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
				last := strings.IndexByte(alphabet, token[len(token)-1])
				return token[:len(token)-1] + string(alphabet[last^1])
			},
			Invalid, ErrMalformed},
		{"too long", "", ks.secret,
			func(*testing.T) string { return strings.Repeat("a", maxTokenLen+1) }, Invalid, ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := newTestVerifier(t, tt.issuer, tt.key)
			token := tt.token(t)
			got := v.CheckToken(token)
			if got.Status != tt.want {
				t.Fatalf("Status = %v (%v), want %v", got.Status, got.Err, tt.want)
			}
			if tt.err == nil {
				if got.Err != nil {
					t.Fatalf("Err = %v, want nil", got.Err)
				}
				return
			}
			if !errors.Is(got.Err, tt.err) {
				t.Fatalf("Err = %v, want errors.Is %v", got.Err, tt.err)
			}
			assertNoSecret(t, got.Err.Error(), ks.secret, tt.key)
			if len(token) > 20 && strings.Contains(got.Err.Error(), token) {
				t.Errorf("Err %q contains the token", got.Err)
			}
		})
	}
}

// assertNoSecret fails when msg contains any of the keys, or a long piece of one.
func assertNoSecret(t *testing.T, msg string, keys ...string) {
	t.Helper()
	for _, key := range keys {
		if strings.Contains(msg, key) {
			t.Errorf("message %q contains a key", msg)
		}
		for line := range strings.Lines(key) {
			if line = strings.TrimSpace(line); len(line) >= 16 && strings.Contains(msg, line) {
				t.Errorf("message %q contains part of a key", msg)
			}
		}
	}
}

func TestCheck(t *testing.T) {
	ks := testKeys(t)
	v := newTestVerifier(t, "pushpin", ks.secret)
	good := sign(t, jwt.SigningMethodHS256, []byte(ks.secret), claims("pushpin", time.Hour))

	tests := []struct {
		name   string
		header http.Header
		want   Status
		err    error
	}{
		{"no header", http.Header{"Connection-Id": {"abc"}}, NotProxied, nil},
		{"nil header", nil, NotProxied, nil},
		{"valid", http.Header{"Grip-Sig": {good}}, Valid, nil},
		{"empty value", http.Header{"Grip-Sig": {""}}, Invalid, ErrMalformed},
		{"two headers", http.Header{"Grip-Sig": {good, good}}, Invalid, ErrMultipleTokens},
		{"comma-joined by a front door", http.Header{"Grip-Sig": {good + "," + good}}, Invalid, ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := v.Check(tt.header)
			if got.Status != tt.want || !errors.Is(got.Err, tt.err) || (tt.err == nil) != (got.Err == nil) {
				t.Fatalf("Check = %v, %v; want %v, %v", got.Status, got.Err, tt.want, tt.err)
			}
		})
	}
}

func TestNilVerifier(t *testing.T) {
	var v *Verifier
	if got := v.Check(http.Header{}); got.Status != NotProxied {
		t.Errorf("no header: Status = %v, want not proxied", got.Status)
	}
	got := v.Check(http.Header{"Grip-Sig": {"a.b.c"}})
	if got.Status != Invalid || !errors.Is(got.Err, ErrNoVerifier) {
		t.Errorf("with header: %v, %v; want invalid, ErrNoVerifier", got.Status, got.Err)
	}
	if alg := v.Algorithm(); alg != "" {
		t.Errorf("Algorithm = %q, want empty", alg)
	}
}

func TestCacheRechecksTime(t *testing.T) {
	ks := testKeys(t)
	now := testNow
	v, err := NewVerifier("pushpin", ks.secret, WithClock(func() time.Time { return now }))
	if err != nil {
		t.Fatal(err)
	}
	c := claims("pushpin", time.Minute)
	c["nbf"] = testNow.Add(-time.Minute).Unix()
	token := sign(t, jwt.SigningMethodHS256, []byte(ks.secret), c)

	steps := []struct {
		name string
		at   time.Time
		want Status
		err  error
	}{
		{"first check verifies", testNow, Valid, nil},
		{"repeat is valid", testNow.Add(59 * time.Second), Valid, nil},
		{"repeat after exp", testNow.Add(time.Minute), Invalid, ErrExpired},
		{"repeat before nbf", testNow.Add(-2 * time.Minute), Invalid, ErrNotYetValid},
		{"back inside the window", testNow, Valid, nil},
	}
	for _, s := range steps {
		now = s.at
		got := v.CheckToken(token)
		if got.Status != s.want || !errors.Is(got.Err, s.err) {
			t.Fatalf("%s: %v, %v; want %v, %v", s.name, got.Status, got.Err, s.want, s.err)
		}
	}
}

// A repeated token must skip the signature math: the cached path allocates
// nothing, while a real HMAC check does.
func TestCacheSkipsVerification(t *testing.T) {
	ks := testKeys(t)
	v := newTestVerifier(t, "pushpin", ks.secret)
	a := sign(t, jwt.SigningMethodHS256, []byte(ks.secret), claims("pushpin", time.Hour))
	b := sign(t, jwt.SigningMethodHS256, []byte(ks.secret), claims("pushpin", 2*time.Hour))

	if got := v.CheckToken(a); got.Status != Valid {
		t.Fatalf("first check: %v, %v", got.Status, got.Err)
	}
	if allocs := testing.AllocsPerRun(50, func() { v.CheckToken(a) }); allocs != 0 {
		t.Errorf("repeated token: %v allocs per check, want 0 (cache hit)", allocs)
	}
	// Failed tokens do not evict the cached one.
	v.CheckToken("garbage")
	v.CheckToken(a[:len(a)-2] + "xx")
	if allocs := testing.AllocsPerRun(50, func() { v.CheckToken(a) }); allocs != 0 {
		t.Errorf("after failures: %v allocs per check, want 0", allocs)
	}
	// Alternating tokens miss the cache every time.
	flip := false
	allocs := testing.AllocsPerRun(50, func() {
		flip = !flip
		if flip {
			v.CheckToken(b)
		} else {
			v.CheckToken(a)
		}
	})
	if allocs == 0 {
		t.Error("alternating tokens: 0 allocs, want a full verification each time")
	}
}

func TestConcurrentChecks(t *testing.T) {
	ks := testKeys(t)
	v := newTestVerifier(t, "pushpin", ks.secret)
	tokens := []string{
		sign(t, jwt.SigningMethodHS256, []byte(ks.secret), claims("pushpin", time.Hour)),
		sign(t, jwt.SigningMethodHS256, []byte(ks.secret), claims("pushpin", 2*time.Hour)),
		sign(t, jwt.SigningMethodHS256, []byte("changeme"), claims("pushpin", time.Hour)),
	}
	want := []Status{Valid, Valid, Invalid}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 200 {
				k := (g + i) % len(tokens)
				if got := v.CheckToken(tokens[k]); got.Status != want[k] {
					t.Errorf("token %d: %v, want %v", k, got.Status, want[k])
					return
				}
			}
		})
	}
	wg.Wait()
}

func TestStatusString(t *testing.T) {
	for s, want := range map[Status]string{NotProxied: "not proxied", Valid: "valid", Invalid: "invalid", Status(9): "unknown"} {
		if got := s.String(); got != want {
			t.Errorf("Status(%d).String() = %q, want %q", int(s), got, want)
		}
	}
}

func TestWithClockNilKeepsDefault(t *testing.T) {
	v, err := NewVerifier("", "changeme", WithClock(nil))
	if err != nil {
		t.Fatal(err)
	}
	token := sign(t, jwt.SigningMethodHS256, []byte("changeme"), jwt.MapClaims{"exp": time.Now().Add(time.Hour).Unix()})
	if got := v.CheckToken(token); got.Status != Valid {
		t.Fatalf("Status = %v (%v), want valid against the real clock", got.Status, got.Err)
	}
}

func TestErrorDetails(t *testing.T) {
	ks := testKeys(t)
	v := newTestVerifier(t, "pushpin", ks.secret)
	long := strings.Repeat("x", 200)
	tests := []struct {
		name, token, want string
	}{
		{"issuer names both", sign(t, jwt.SigningMethodHS256, []byte(ks.secret), claims("other", time.Hour)),
			`token iss "other", want "pushpin"`},
		{"long issuer is cut", sign(t, jwt.SigningMethodHS256, []byte(ks.secret), claims(long, time.Hour)),
			`"` + long[:64] + `"...`},
		{"expiry is dated", sign(t, jwt.SigningMethodHS256, []byte(ks.secret), claims("pushpin", -time.Hour)),
			"exp 2026-05-01T11:00:00Z"},
		{"alg is named", sign(t, jwt.SigningMethodHS384, []byte(ks.secret), claims("pushpin", time.Hour)),
			`token alg "HS384", key verifies HS256`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := v.CheckToken(tt.token)
			if got.Err == nil || !strings.Contains(got.Err.Error(), tt.want) {
				t.Fatalf("Err = %v, want it to contain %q", got.Err, tt.want)
			}
		})
	}
}
