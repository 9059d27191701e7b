package sig

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// headerName is the request header a GRIP proxy puts its token in.
const headerName = "Grip-Sig"

// maxTokenLen bounds the work done on a token. Real Grip-Sig tokens are a few
// hundred bytes; anything this long is garbage.
const maxTokenLen = 8 << 10

// tokenVerifier checks Grip-Sig tokens against one key, pinned to one algorithm.
// It is safe for concurrent use.
type tokenVerifier struct {
	issuer string
	alg    string
	key    any
	now    func() time.Time
	parser *jwt.Parser

	// last is the most recent token that verified. The proxy signs each
	// request, but its tokens change only once a second, so most requests
	// repeat it: those skip the signature math and only re-check the clock.
	last atomic.Pointer[verifiedToken]
}

// verifiedToken is a token that passed every check, and its validity window.
type verifiedToken struct {
	token     string
	expires   time.Time
	notBefore time.Time // zero when the token has no nbf
}

// verifierOption changes how newVerifier builds a verifier.
type verifierOption func(*tokenVerifier)

// withClock sets the time source for the exp and nbf checks (default
// time.Now). Tests use it to check tokens at a fixed instant.
func withClock(now func() time.Time) verifierOption {
	return func(v *tokenVerifier) {
		if now != nil {
			v.now = now
		}
	}
}

// newVerifier returns a verifier for tokens signed with key. When issuer is
// not empty, tokens must carry exactly that iss claim.
//
// key may be:
//   - PEM: an EC P-256 public key (ES256), an RSA public key or a certificate
//     holding one (RS256);
//   - a JWK JSON object: kty EC with crv P-256 (ES256), RSA (RS256) or oct (HS256);
//   - "base64:" followed by standard base64 of PEM or of a secret;
//   - anything else: an HS256 secret used as is (Pushpin's sig_key).
//
// The error for a key that cannot be used wraps errBadKey and never contains the key.
func newVerifier(issuer, key string, opts ...verifierOption) (*tokenVerifier, error) {
	vk, err := parseKey(key)
	if err != nil {
		return nil, err
	}
	v := &tokenVerifier{issuer: issuer, alg: vk.alg, key: vk.key, now: time.Now}
	for _, opt := range opts {
		opt(v)
	}
	parserOpts := []jwt.ParserOption{
		// Only the key's own algorithm: this rules out "none" and an
		// HS256 token "signed" with the bytes of a public key.
		jwt.WithValidMethods([]string{vk.alg}),
		jwt.WithExpirationRequired(),
		jwt.WithTimeFunc(v.now),
		// Canonical base64 only, so a valid token has exactly one spelling.
		jwt.WithStrictDecoding(),
	}
	if issuer != "" {
		parserOpts = append(parserOpts, jwt.WithIssuer(issuer))
	}
	v.parser = jwt.NewParser(parserOpts...)
	return v, nil
}

// algorithm returns the one algorithm this verifier accepts: "HS256",
// "ES256" or "RS256". Useful in a startup log line; it is not secret.
func (v *tokenVerifier) algorithm() string {
	if v == nil {
		return ""
	}
	return v.alg
}

// check reads the Grip-Sig header of a request (header keys canonical, as
// net/http and package apigw make them). No header gives statusNotProxied; more
// than one is statusInvalid, since a proxy sends exactly one.
//
// On a nil verifier, a request with the header is statusInvalid (ErrNoVerifier):
// without a key nothing can be trusted.
func (v *tokenVerifier) check(header http.Header) checkResult {
	values := header[headerName]
	switch len(values) {
	case 0:
		return checkResult{Status: statusNotProxied}
	case 1:
		return v.checkToken(values[0])
	}
	return invalid(errMultipleTokens)
}

// checkToken checks one Grip-Sig token: signature with the configured key
// and algorithm, exp (required), nbf (when present) and iss (when an issuer
// is configured). It never returns statusNotProxied: an empty token is statusInvalid.
func (v *tokenVerifier) checkToken(token string) checkResult {
	switch {
	case v == nil:
		return invalid(errNoVerifier)
	case token == "":
		return invalid(fmt.Errorf("%w: empty Grip-Sig header", errMalformed))
	case len(token) > maxTokenLen:
		return invalid(fmt.Errorf("%w: longer than %d bytes", errMalformed, maxTokenLen))
	}

	if last := v.last.Load(); last != nil && sameToken(last.token, token) {
		return last.checkTime(v.now())
	}

	var claims jwt.RegisteredClaims
	parsed, err := v.parser.ParseWithClaims(token, &claims, v.keyFunc)
	if err != nil {
		return invalid(v.explain(parsed, &claims, err))
	}
	verified := &verifiedToken{token: token, expires: claims.ExpiresAt.Time}
	if claims.NotBefore != nil {
		verified.notBefore = claims.NotBefore.Time
	}
	v.last.Store(verified)
	return checkResult{Status: statusValid}
}

func (v *tokenVerifier) keyFunc(*jwt.Token) (any, error) { return v.key, nil }

// checkTime re-applies jwt's time rules to a token that verified before:
// valid while nbf <= now < exp.
func (t *verifiedToken) checkTime(now time.Time) checkResult {
	if !now.Before(t.expires) {
		return invalid(expiredError(t.expires))
	}
	if now.Before(t.notBefore) {
		return invalid(errNotYetValid)
	}
	return checkResult{Status: statusValid}
}

// explain turns a jwt error into one of this package's sentinels, with a
// detail that helps fix a misconfiguration. Details quote the token's own
// header and claims (never the key), shortened.
func (v *tokenVerifier) explain(parsed *jwt.Token, claims *jwt.RegisteredClaims, err error) error {
	if errors.Is(err, jwt.ErrTokenMalformed) || parsed == nil {
		detail := strings.TrimPrefix(err.Error(), jwt.ErrTokenMalformed.Error()+": ")
		return fmt.Errorf("%w: %s", errMalformed, detail)
	}
	if alg, _ := parsed.Header["alg"].(string); alg != v.alg {
		return fmt.Errorf("%w: token alg %s, key verifies %s", errAlgorithm, shortQuote(alg), v.alg)
	}
	if !errors.Is(err, jwt.ErrTokenInvalidClaims) {
		// The signature did not verify (or the key could not be used with it).
		return errSignature
	}
	// The signature is good; say which claim is wrong, the most basic first.
	switch {
	case claims.ExpiresAt == nil:
		return errNoExpiry
	case errors.Is(err, jwt.ErrTokenExpired):
		return expiredError(claims.ExpiresAt.Time)
	case errors.Is(err, jwt.ErrTokenNotValidYet):
		return errNotYetValid
	case v.issuer != "" && claims.Issuer != v.issuer:
		return fmt.Errorf("%w: token iss %s, want %q", errIssuer, shortQuote(claims.Issuer), v.issuer)
	}
	return fmt.Errorf("%w: %v", errMalformed, err)
}

func invalid(err error) checkResult { return checkResult{Status: statusInvalid, Err: err} }

func expiredError(exp time.Time) error {
	return fmt.Errorf("%w: exp %s", errExpired, exp.UTC().Format(time.RFC3339))
}

// shortQuote quotes a value taken from a token, cut to a length fit for a log line.
func shortQuote(s string) string {
	const max = 64
	if len(s) > max {
		return fmt.Sprintf("%q...", s[:max])
	}
	return fmt.Sprintf("%q", s)
}

// sameToken compares in constant time, so response timing tells an attacker
// nothing about how much of a forged token matches the last valid one.
func sameToken(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	var diff byte
	for i := 0; i < len(a); i++ {
		diff |= a[i] ^ b[i]
	}
	return diff == 0
}
