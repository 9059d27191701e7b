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
		want   checkStatus
		err    error
	}{
		// Valid tokens, one per algorithm.
		{"HS256 valid", "pushpin", ks.secret,
			func(t *testing.T) string { return sign(t, jwt.SigningMethodHS256, hs, claims("pushpin", time.Hour)) },
			statusValid, nil},
		{"ES256 valid", fastlyIss, ks.ecPEM,
			func(t *testing.T) string {
				return sign(t, jwt.SigningMethodES256, ks.ec, claims(fastlyIss, time.Minute))
			},
			statusValid, nil},
		{"RS256 valid", "", ks.rsaPEM,
			func(t *testing.T) string { return sign(t, jwt.SigningMethodRS256, ks.rsaKey, claims("x", time.Minute)) },
			statusValid, nil},
		{"issuer not configured accepts any iss", "", ks.secret,
			func(t *testing.T) string { return sign(t, jwt.SigningMethodHS256, hs, claims("anyone", time.Hour)) },
			statusValid, nil},
		{"issuer not configured accepts no iss", "", ks.secret,
			func(t *testing.T) string {
				return sign(t, jwt.SigningMethodHS256, hs, jwt.MapClaims{"exp": testNow.Add(time.Hour).Unix()})
			},
			statusValid, nil},
		{"nbf in the past", "", ks.secret,
			func(t *testing.T) string {
				c := claims("pushpin", time.Hour)
				c["nbf"] = testNow.Add(-time.Second).Unix()
				return sign(t, jwt.SigningMethodHS256, hs, c)
			},
			statusValid, nil},

		// Claims.
		{"expired", "pushpin", ks.secret,
			func(t *testing.T) string { return sign(t, jwt.SigningMethodHS256, hs, claims("pushpin", -time.Second)) },
			statusInvalid, errExpired},
		{"exp equal to now is expired", "pushpin", ks.secret,
			func(t *testing.T) string { return sign(t, jwt.SigningMethodHS256, hs, claims("pushpin", 0)) },
			statusInvalid, errExpired},
		{"expired ES256", fastlyIss, ks.ecPEM,
			func(t *testing.T) string {
				return sign(t, jwt.SigningMethodES256, ks.ec, claims(fastlyIss, -time.Hour))
			},
			statusInvalid, errExpired},
		{"missing exp", "pushpin", ks.secret,
			func(t *testing.T) string { return sign(t, jwt.SigningMethodHS256, hs, jwt.MapClaims{"iss": "pushpin"}) },
			statusInvalid, errNoExpiry},
		{"missing exp, no issuer configured", "", ks.secret,
			func(t *testing.T) string { return sign(t, jwt.SigningMethodHS256, hs, jwt.MapClaims{}) },
			statusInvalid, errNoExpiry},
		{"nbf in the future", "", ks.secret,
			func(t *testing.T) string {
				c := claims("pushpin", time.Hour)
				c["nbf"] = testNow.Add(time.Minute).Unix()
				return sign(t, jwt.SigningMethodHS256, hs, c)
			},
			statusInvalid, errNotYetValid},
		{"wrong iss", "pushpin", ks.secret,
			func(t *testing.T) string {
				return sign(t, jwt.SigningMethodHS256, hs, claims("someone-else", time.Hour))
			},
			statusInvalid, errIssuer},
		{"missing iss when one is configured", "pushpin", ks.secret,
			func(t *testing.T) string {
				return sign(t, jwt.SigningMethodHS256, hs, jwt.MapClaims{"exp": testNow.Add(time.Hour).Unix()})
			},
			statusInvalid, errIssuer},
		{"exp is not a number", "", ks.secret,
			func(t *testing.T) string {
				return sign(t, jwt.SigningMethodHS256, hs, jwt.MapClaims{"exp": "tomorrow"})
			},
			statusInvalid, errMalformed},

		// Wrong keys.
		{"HS256 wrong secret", "pushpin", ks.secret,
			func(t *testing.T) string {
				return sign(t, jwt.SigningMethodHS256, []byte("changeme"), claims("pushpin", time.Hour))
			},
			statusInvalid, errSignature},
		{"ES256 wrong key", fastlyIss, ks.ecPEM,
			func(t *testing.T) string {
				return sign(t, jwt.SigningMethodES256, ks.ecOther, claims(fastlyIss, time.Minute))
			},
			statusInvalid, errSignature},
		{"RS256 wrong key", "", ks.rsaPEM,
			func(t *testing.T) string {
				return sign(t, jwt.SigningMethodRS256, ks.rsaOther, claims("x", time.Minute))
			},
			statusInvalid, errSignature},
		{"tampered claims", "pushpin", ks.secret,
			func(t *testing.T) string {
				good := strings.Split(sign(t, jwt.SigningMethodHS256, hs, claims("pushpin", time.Hour)), ".")
				forged := strings.Split(sign(t, jwt.SigningMethodHS256, hs, claims("pushpin", 48*time.Hour)), ".")
				return good[0] + "." + forged[1] + "." + good[2]
			},
			statusInvalid, errSignature},

		// Algorithm pinning.
		{"alg none against HS256", "pushpin", ks.secret,
			func(t *testing.T) string {
				return sign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, claims("pushpin", time.Hour))
			},
			statusInvalid, errAlgorithm},
		{"alg none against ES256", fastlyIss, ks.ecPEM,
			func(t *testing.T) string {
				return sign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, claims(fastlyIss, time.Hour))
			},
			statusInvalid, errAlgorithm},
		{"HS256 signed with the RSA public key PEM", "", ks.rsaPEM,
			func(t *testing.T) string {
				return sign(t, jwt.SigningMethodHS256, []byte(ks.rsaPEM), claims("x", time.Hour))
			},
			statusInvalid, errAlgorithm},
		{"HS256 signed with the EC public key PEM", fastlyIss, ks.ecPEM,
			func(t *testing.T) string {
				return sign(t, jwt.SigningMethodHS256, []byte(ks.ecPEM), claims(fastlyIss, time.Hour))
			},
			statusInvalid, errAlgorithm},
		{"HS256 signed with the EC public key JWK", fastlyIss, ks.ecJWK,
			func(t *testing.T) string {
				return sign(t, jwt.SigningMethodHS256, []byte(ks.ecJWK), claims(fastlyIss, time.Hour))
			},
			statusInvalid, errAlgorithm},
		{"ES256 token against an HS256 secret", "", ks.secret,
			func(t *testing.T) string { return sign(t, jwt.SigningMethodES256, ks.ec, claims("x", time.Hour)) },
			statusInvalid, errAlgorithm},
		{"RS384 token against an RS256 key", "", ks.rsaPEM,
			func(t *testing.T) string { return sign(t, jwt.SigningMethodRS384, ks.rsaKey, claims("x", time.Hour)) },
			statusInvalid, errAlgorithm},
		{"PS256 token against an RS256 key", "", ks.rsaPEM,
			func(t *testing.T) string { return sign(t, jwt.SigningMethodPS256, ks.rsaKey, claims("x", time.Hour)) },
			statusInvalid, errAlgorithm},
		{"no alg in header", "", ks.secret,
			func(t *testing.T) string {
				good := strings.Split(sign(t, jwt.SigningMethodHS256, hs, claims("x", time.Hour)), ".")
				return b64url([]byte(`{"typ":"JWT"}`)) + "." + good[1] + "." + good[2]
			},
			statusInvalid, errAlgorithm},

		// Garbage.
		{"empty", "", ks.secret, func(*testing.T) string { return "" }, statusInvalid, errMalformed},
		{"one segment", "", ks.secret, func(*testing.T) string { return "garbage" }, statusInvalid, errMalformed},
		{"three junk segments", "", ks.secret, func(*testing.T) string { return "a.b.c" }, statusInvalid, errMalformed},
		{"header not JSON", "", ks.secret,
			func(*testing.T) string { return b64url([]byte("nope")) + ".e30.c2ln" }, statusInvalid, errMalformed},
		{"signature not base64url", "", ks.secret,
			func(t *testing.T) string {
				good := strings.Split(sign(t, jwt.SigningMethodHS256, hs, claims("x", time.Hour)), ".")
				return good[0] + "." + good[1] + ".!!!"
			},
			statusInvalid, errMalformed},
		{"non-canonical base64 signature", "", ks.secret,
			func(t *testing.T) string {
				// 32 signature bytes leave 2 unused bits in the last
				// character; setting one gives a second spelling.
				token := sign(t, jwt.SigningMethodHS256, hs, claims("x", time.Hour))
				const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
				last := strings.IndexByte(alphabet, token[len(token)-1])
				return token[:len(token)-1] + string(alphabet[last^1])
			},
			statusInvalid, errMalformed},
		{"too long", "", ks.secret,
			func(*testing.T) string { return strings.Repeat("a", maxTokenLen+1) }, statusInvalid, errMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := newTestVerifier(t, tt.issuer, tt.key)
			token := tt.token(t)
			got := v.checkToken(token)
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
		want   checkStatus
		err    error
	}{
		{"no header", http.Header{"Connection-Id": {"abc"}}, statusNotProxied, nil},
		{"nil header", nil, statusNotProxied, nil},
		{"valid", http.Header{"Grip-Sig": {good}}, statusValid, nil},
		{"empty value", http.Header{"Grip-Sig": {""}}, statusInvalid, errMalformed},
		{"two headers", http.Header{"Grip-Sig": {good, good}}, statusInvalid, errMultipleTokens},
		{"comma-joined by a front door", http.Header{"Grip-Sig": {good + "," + good}}, statusInvalid, errMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := v.check(tt.header)
			if got.Status != tt.want || !errors.Is(got.Err, tt.err) || (tt.err == nil) != (got.Err == nil) {
				t.Fatalf("Check = %v, %v; want %v, %v", got.Status, got.Err, tt.want, tt.err)
			}
		})
	}
}

func TestNilVerifier(t *testing.T) {
	var v *tokenVerifier
	if got := v.check(http.Header{}); got.Status != statusNotProxied {
		t.Errorf("no header: Status = %v, want not proxied", got.Status)
	}
	got := v.check(http.Header{"Grip-Sig": {"a.b.c"}})
	if got.Status != statusInvalid || !errors.Is(got.Err, errNoVerifier) {
		t.Errorf("with header: %v, %v; want invalid, ErrNoVerifier", got.Status, got.Err)
	}
	if alg := v.algorithm(); alg != "" {
		t.Errorf("Algorithm = %q, want empty", alg)
	}
}

func TestCacheRechecksTime(t *testing.T) {
	ks := testKeys(t)
	now := testNow
	v, err := newVerifier("pushpin", ks.secret, withClock(func() time.Time { return now }))
	if err != nil {
		t.Fatal(err)
	}
	c := claims("pushpin", time.Minute)
	c["nbf"] = testNow.Add(-time.Minute).Unix()
	token := sign(t, jwt.SigningMethodHS256, []byte(ks.secret), c)

	steps := []struct {
		name string
		at   time.Time
		want checkStatus
		err  error
	}{
		{"first check verifies", testNow, statusValid, nil},
		{"repeat is valid", testNow.Add(59 * time.Second), statusValid, nil},
		{"repeat after exp", testNow.Add(time.Minute), statusInvalid, errExpired},
		{"repeat before nbf", testNow.Add(-2 * time.Minute), statusInvalid, errNotYetValid},
		{"back inside the window", testNow, statusValid, nil},
	}
	for _, s := range steps {
		now = s.at
		got := v.checkToken(token)
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

	if got := v.checkToken(a); got.Status != statusValid {
		t.Fatalf("first check: %v, %v", got.Status, got.Err)
	}
	if allocs := testing.AllocsPerRun(50, func() { v.checkToken(a) }); allocs != 0 {
		t.Errorf("repeated token: %v allocs per check, want 0 (cache hit)", allocs)
	}
	// Failed tokens do not evict the cached one.
	v.checkToken("garbage")
	v.checkToken(a[:len(a)-2] + "xx")
	if allocs := testing.AllocsPerRun(50, func() { v.checkToken(a) }); allocs != 0 {
		t.Errorf("after failures: %v allocs per check, want 0", allocs)
	}
	// Alternating tokens miss the cache every time.
	flip := false
	allocs := testing.AllocsPerRun(50, func() {
		flip = !flip
		if flip {
			v.checkToken(b)
		} else {
			v.checkToken(a)
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
	want := []checkStatus{statusValid, statusValid, statusInvalid}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 200 {
				k := (g + i) % len(tokens)
				if got := v.checkToken(tokens[k]); got.Status != want[k] {
					t.Errorf("token %d: %v, want %v", k, got.Status, want[k])
					return
				}
			}
		})
	}
	wg.Wait()
}

func TestStatusString(t *testing.T) {
	for s, want := range map[checkStatus]string{statusNotProxied: "not proxied", statusValid: "valid", statusInvalid: "invalid", checkStatus(9): "unknown"} {
		if got := s.String(); got != want {
			t.Errorf("Status(%d).String() = %q, want %q", int(s), got, want)
		}
	}
}

func TestWithClockNilKeepsDefault(t *testing.T) {
	v, err := newVerifier("", "changeme", withClock(nil))
	if err != nil {
		t.Fatal(err)
	}
	token := sign(t, jwt.SigningMethodHS256, []byte("changeme"), jwt.MapClaims{"exp": time.Now().Add(time.Hour).Unix()})
	if got := v.checkToken(token); got.Status != statusValid {
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
			got := v.checkToken(tt.token)
			if got.Err == nil || !strings.Contains(got.Err.Error(), tt.want) {
				t.Fatalf("Err = %v, want it to contain %q", got.Err, tt.want)
			}
		})
	}
}
