package clienttoken

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// refusalCase is one token and what Verify should answer: Status 0 accepts it.
type refusalCase struct {
	name   string
	token  func(t *testing.T) string
	status int
	code   string
	reason string // a piece of the log reason
}

func runRefusalCases(t *testing.T, v *Verifier, cases []refusalCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, refused := v.Verify(t.Context(), bearer(tc.token(t)), nil)
			if tc.status == 0 {
				if refused != nil {
					t.Fatalf("refused: %v", refused)
				}
				if c.Subject != "alice" || c.Name != "Alice" || c.Expiry.IsZero() ||
					!slices.Equal(c.Channels, []string{"chat", "news*"}) {
					t.Fatalf("claims = %+v", c)
				}
				return
			}
			if refused == nil {
				t.Fatalf("accepted, want %d %s", tc.status, tc.code)
			}
			if refused.Status != tc.status || refused.Code != tc.code || !strings.Contains(refused.Reason, tc.reason) {
				t.Fatalf("refusal = %d %q %q, want %d %q %q", refused.Status, refused.Code, refused.Reason, tc.status, tc.code, tc.reason)
			}
			if want := `Bearer error="` + tc.code + `"`; !strings.HasPrefix(refused.Challenge, want) {
				t.Fatalf("challenge = %q, want it to start with %q", refused.Challenge, want)
			}
		})
	}
}

func hs(c jwt.MapClaims) func(*testing.T) string {
	return func(t *testing.T) string { return sign(t, jwt.SigningMethodHS256, testSecret, "", c) }
}

// TestVerifyHS256 proves the claim checks (iss, aud, exp, nbf, sub, the
// leeway's edges) and that only HS256 with the secret passes.
func TestVerifyHS256(t *testing.T) {
	const bad = "invalid_token"
	sec := func(d time.Duration) int64 { return testNow.Add(d).Unix() }
	runRefusalCases(t, newHS256(t), []refusalCase{
		{name: "valid", token: hs(claimsAt())},
		{name: "minted by SignHS256", token: func(t *testing.T) string {
			s, err := SignHS256(testSecret, testIss, testAud, Claims{Subject: "alice", Name: "Alice",
				Expiry: testNow.Add(time.Hour), Channels: []string{"chat", "news*"}}, testNow)
			if err != nil {
				t.Fatal(err)
			}
			return s
		}},
		{name: "expired", token: hs(with(claimsAt(), "exp", sec(-time.Minute))), status: 401, code: bad, reason: "expired"},
		{name: "expired within the leeway", token: hs(with(claimsAt(), "exp", sec(-Leeway+time.Second)))},
		{name: "expired at the leeway's edge", token: hs(with(claimsAt(), "exp", sec(-Leeway))), status: 401, code: bad, reason: "expired"},
		{name: "nbf in the future", token: hs(with(claimsAt(), "nbf", sec(time.Minute))), status: 401, code: bad, reason: "nbf"},
		{name: "nbf within the leeway", token: hs(with(claimsAt(), "nbf", sec(Leeway)))},
		{name: "nbf past the leeway", token: hs(with(claimsAt(), "nbf", sec(Leeway+time.Second))), status: 401, code: bad, reason: "nbf"},
		{name: "no exp", token: hs(with(claimsAt(), "exp", nil)), status: 401, code: bad, reason: "lacks"},
		{name: "wrong aud", token: hs(with(claimsAt(), "aud", "other-app")), status: 401, code: bad, reason: "aud"},
		{name: "aud list with ours", token: hs(with(claimsAt(), "aud", []string{"x", testAud}))},
		{name: "no aud (a Cognito access token)", token: hs(with(claimsAt(), "aud", nil, "client_id", testAud)), status: 401, code: bad, reason: "lacks"},
		{name: "wrong iss", token: hs(with(claimsAt(), "iss", "https://evil.example")), status: 401, code: bad, reason: "iss"},
		{name: "no sub", token: hs(with(claimsAt(), "sub", nil)), status: 401, code: bad, reason: "sub"},
		{name: "channels not an array", token: hs(with(claimsAt(), "channels", "chat")), status: 401, code: bad, reason: "malformed"},
		{name: "other secret", token: func(t *testing.T) string {
			return sign(t, jwt.SigningMethodHS256, []byte("another secret of 32 bytes......"), "", claimsAt())
		}, status: 401, code: bad, reason: "signature"},
		{name: "HS384 with the secret", token: func(t *testing.T) string {
			return sign(t, jwt.SigningMethodHS384, testSecret, "", claimsAt())
		}, status: 401, code: bad, reason: "alg"},
		{name: "alg none", token: func(t *testing.T) string {
			return sign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, "", claimsAt())
		}, status: 401, code: bad, reason: "alg"},
		{name: "HS256 keyed with an RSA public key", token: func(t *testing.T) string {
			return sign(t, jwt.SigningMethodHS256, rsaPublicPEM(t), "", claimsAt())
		}, status: 401, code: bad, reason: "signature"},
		{name: "RS256", token: func(t *testing.T) string {
			return sign(t, jwt.SigningMethodRS256, keys().rsa, "", claimsAt())
		}, status: 401, code: bad, reason: "alg"},
		{name: "tampered payload", token: func(t *testing.T) string {
			good := strings.Split(sign(t, jwt.SigningMethodHS256, testSecret, "", claimsAt()), ".")
			evil := strings.Split(sign(t, jwt.SigningMethodHS256, []byte("x"), "", with(claimsAt(), "channels", []string{"*"})), ".")
			return good[0] + "." + evil[1] + "." + good[2]
		}, status: 401, code: bad, reason: "signature"},
		{name: "not a JWT", token: func(*testing.T) string { return "abc.def" }, status: 401, code: bad, reason: "malformed"},
		{name: "too long", token: func(*testing.T) string { return strings.Repeat("a", maxTokenBytes+1) }, status: 401, code: bad, reason: "8 KiB"},
	})
}

// TestVerifyJWKS proves RS256 and ES256 from a key set, the key kind pinned
// to the alg, and HS256 refused whatever it is keyed with.
func TestVerifyJWKS(t *testing.T) {
	const bad = "invalid_token"
	k := keys()
	signed := func(m jwt.SigningMethod, key any, kid string) func(*testing.T) string {
		return func(t *testing.T) string { return sign(t, m, key, kid, claimsAt()) }
	}
	runRefusalCases(t, newJWKSVerifier(t, standardJWKS(t)), []refusalCase{
		{name: "RS256", token: signed(jwt.SigningMethodRS256, k.rsa, "r")},
		{name: "ES256", token: signed(jwt.SigningMethodES256, k.ec, "e")},
		{name: "RS256 without kid", token: signed(jwt.SigningMethodRS256, k.rsa, "")},
		{name: "ES256 without kid", token: signed(jwt.SigningMethodES256, k.ec, "")},
		{name: "kid not in the JWKS", token: signed(jwt.SigningMethodRS256, k.rsa, "gone"), status: 401, code: bad, reason: "kid"},
		{name: "another RSA key under a known kid", token: signed(jwt.SigningMethodRS256, k.rsa2, "r"), status: 401, code: bad, reason: "signature"},
		{name: "another key without kid", token: signed(jwt.SigningMethodES256, k.ec2, ""), status: 401, code: bad, reason: "signature"},
		{name: "RS256 under the ES256 key's kid", token: signed(jwt.SigningMethodRS256, k.rsa2, "e"), status: 401, code: bad, reason: "alg"},
		{name: "HS256 keyed with the RSA public key", token: func(t *testing.T) string {
			return sign(t, jwt.SigningMethodHS256, rsaPublicPEM(t), "r", claimsAt())
		}, status: 401, code: bad, reason: "alg"},
		{name: "RS512", token: signed(jwt.SigningMethodRS512, k.rsa, "r"), status: 401, code: bad, reason: "alg"},
		{name: "alg none", token: signed(jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, "r"), status: 401, code: bad, reason: "alg"},
		{name: "expired", token: func(t *testing.T) string {
			return sign(t, jwt.SigningMethodES256, k.ec, "e", with(claimsAt(), "exp", testNow.Add(-time.Hour).Unix()))
		}, status: 401, code: bad, reason: "expired"},
	})
}

// TestTokenSource proves where a token may come from: one header or one
// query parameter, never both, and the answers of RFC 6750 otherwise.
func TestTokenSource(t *testing.T) {
	good := sign(t, jwt.SigningMethodHS256, testSecret, "", claimsAt())
	v := newHS256(t)
	for _, tc := range []struct {
		name   string
		h      http.Header
		q      url.Values
		status int
		code   string
	}{
		{name: "header", h: bearer(good)},
		{name: "scheme in lower case", h: http.Header{"Authorization": {"bearer " + good}}},
		{name: "query", q: url.Values{"access_token": {good}, "channel": {"chat"}}},
		{name: "query with Basic auth beside it", h: http.Header{"Authorization": {"Basic YTpi"}}, q: url.Values{"access_token": {good}}},
		{name: "nothing", status: 401},
		{name: "only Basic auth", h: http.Header{"Authorization": {"Basic YTpi"}}, status: 401},
		{name: "header and query", h: bearer(good), q: url.Values{"access_token": {good}}, status: 400, code: "invalid_request"},
		{name: "two access_token", q: url.Values{"access_token": {good, good}}, status: 400, code: "invalid_request"},
		{name: "two Authorization headers", h: http.Header{"Authorization": {"Bearer " + good, "Bearer " + good}}, status: 400, code: "invalid_request"},
		{name: "empty access_token", q: url.Values{"access_token": {""}}, status: 400, code: "invalid_request"},
		{name: "Bearer without a token", h: http.Header{"Authorization": {"Bearer"}}, status: 400, code: "invalid_request"},
		{name: "two tokens in one header", h: http.Header{"Authorization": {"Bearer " + good + ", Bearer " + good}}, status: 400, code: "invalid_request"},
		{name: "a garbage token", q: url.Values{"access_token": {"x"}}, status: 401, code: "invalid_token"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, refused := v.Verify(t.Context(), tc.h, tc.q)
			if tc.status == 0 {
				if refused != nil || c.Subject != "alice" {
					t.Fatalf("Verify = %+v, %v", c, refused)
				}
				return
			}
			if refused == nil || refused.Status != tc.status || refused.Code != tc.code {
				t.Fatalf("refusal = %+v, want %d %q", refused, tc.status, tc.code)
			}
			if tc.status == 401 && tc.code == "" && refused.Challenge != "Bearer" {
				t.Fatalf("challenge without a token = %q, want a bare Bearer", refused.Challenge)
			}
			if got := refused.Header().Get("WWW-Authenticate"); got != refused.Challenge {
				t.Fatalf("Header() = %q", got)
			}
		})
	}
}

// TestAuthorize proves the 403 for a valid token without the channel, and
// that a nil Verifier (tokens off) lets everything through.
func TestAuthorize(t *testing.T) {
	v := newHS256(t)
	h := bearer(sign(t, jwt.SigningMethodHS256, testSecret, "", claimsAt()))
	if c, refused := v.Authorize(t.Context(), h, nil, "chat", "news-eu"); refused != nil || c == nil {
		t.Fatalf("granted channels: %+v, %v", c, refused)
	}
	c, refused := v.Authorize(t.Context(), h, nil, "chat", "admin")
	if c != nil || refused == nil || refused.Status != 403 || refused.Code != "insufficient_scope" ||
		refused.Challenge != `Bearer error="insufficient_scope"` || !strings.Contains(refused.Reason, `"admin"`) {
		t.Fatalf("ungranted channel: %+v, %+v", c, refused)
	}
	if _, refused := v.Authorize(t.Context(), nil, nil, "chat"); refused == nil || refused.Status != 401 {
		t.Fatalf("no token: %+v", refused)
	}
	var off *Verifier
	if c, refused := off.Authorize(t.Context(), nil, nil, "admin"); c != nil || refused != nil {
		t.Fatalf("tokens off: %+v, %v", c, refused)
	}
	if off.String() != "client tokens off" {
		t.Fatal(off.String())
	}
}
