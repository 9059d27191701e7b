package sig

import "errors"

// Status is the outcome of checking a request's Grip-Sig header.
type Status int

const (
	// NotProxied: the request has no Grip-Sig header, so it did not come
	// through a GRIP proxy (or the proxy does not sign). The zero value.
	NotProxied Status = iota
	// Valid: the token verified with the configured key, is not expired
	// and (when an issuer is configured) names that issuer.
	Valid
	// Invalid: a Grip-Sig header is present but does not verify. Treat the
	// request as untrusted, like NotProxied: the GRIP spec says a token that
	// does not verify counts as absent.
	Invalid
)

// String returns "not proxied", "valid" or "invalid".
func (s Status) String() string {
	switch s {
	case NotProxied:
		return "not proxied"
	case Valid:
		return "valid"
	case Invalid:
		return "invalid"
	}
	return "unknown"
}

// Result is what Check and CheckToken report. Err is nil unless Status is
// Invalid; it says why in words that never include the key or the token.
type Result struct {
	Status Status
	Err    error
}

// Reasons a token is Invalid. Result.Err wraps exactly one of them, so
// callers can tell them apart with errors.Is.
var (
	ErrMalformed      = errors.New("grip-sig: malformed token")
	ErrAlgorithm      = errors.New("grip-sig: token algorithm does not match the key")
	ErrSignature      = errors.New("grip-sig: signature does not verify")
	ErrNoExpiry       = errors.New("grip-sig: token has no exp claim")
	ErrExpired        = errors.New("grip-sig: token is expired")
	ErrNotYetValid    = errors.New("grip-sig: token is not valid yet (nbf)")
	ErrIssuer         = errors.New("grip-sig: token issuer does not match")
	ErrNoVerifier     = errors.New("grip-sig: no verifier configured")
	ErrMultipleTokens = errors.New("grip-sig: more than one Grip-Sig header")
)

// ErrBadKey is wrapped by every error NewVerifier returns for a key it cannot
// use. The message names the problem, never the key.
var ErrBadKey = errors.New("grip-sig: unusable verify key")
