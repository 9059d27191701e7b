package sig

import "errors"

// checkStatus is the outcome of checking a request's Grip-Sig header.
type checkStatus int

const (
	// statusNotProxied: the request has no Grip-Sig header, so it did not come
	// through a GRIP proxy (or the proxy does not sign). The zero value.
	statusNotProxied checkStatus = iota
	// statusValid: the token verified with the configured key, is not expired
	// and (when an issuer is configured) names that issuer.
	statusValid
	// statusInvalid: a Grip-Sig header is present but does not verify. Treat the
	// request as untrusted, like NotProxied: the GRIP spec says a token that
	// does not verify counts as absent.
	statusInvalid
)

// String returns "not proxied", "valid" or "invalid".
func (s checkStatus) String() string {
	switch s {
	case statusNotProxied:
		return "not proxied"
	case statusValid:
		return "valid"
	case statusInvalid:
		return "invalid"
	}
	return "unknown"
}

// checkResult is what check and checkToken report. Err is nil unless Status is
// Invalid; it says why in words that never include the key or the token.
type checkResult struct {
	Status checkStatus
	Err    error
}

// Reasons a token is statusInvalid. checkResult.Err wraps exactly one of them, so
// callers can tell them apart with errors.Is.
var (
	errMalformed      = errors.New("grip-sig: malformed token")
	errAlgorithm      = errors.New("grip-sig: token algorithm does not match the key")
	errSignature      = errors.New("grip-sig: signature does not verify")
	errNoExpiry       = errors.New("grip-sig: token has no exp claim")
	errExpired        = errors.New("grip-sig: token is expired")
	errNotYetValid    = errors.New("grip-sig: token is not valid yet (nbf)")
	errIssuer         = errors.New("grip-sig: token issuer does not match")
	errNoVerifier     = errors.New("grip-sig: no verifier configured")
	errMultipleTokens = errors.New("grip-sig: more than one Grip-Sig header")
)

// codeOf is Refusal.Code for a check's error: its sentinel's word.
func codeOf(err error) string {
	for _, c := range []struct {
		err  error
		code string
	}{
		{errMalformed, "malformed"}, {errAlgorithm, "algorithm"}, {errSignature, "signature"},
		{errNoExpiry, "no-expiry"}, {errExpired, "expired"}, {errNotYetValid, "not-yet-valid"},
		{errIssuer, "issuer"}, {errMultipleTokens, "multiple"},
	} {
		if errors.Is(err, c.err) {
			return c.code
		}
	}
	return "invalid"
}

// errBadKey is wrapped by every error newVerifier returns for a key it cannot
// use. The message names the problem, never the key.
var errBadKey = errors.New("grip-sig: unusable verify key")
