package grip

import (
	"encoding/base64"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// A publish JWT is valid for tokenLifetime and replaced tokenRenewBefore
// its expiry, so one signature serves many publishes (and many warm Lambda
// invocations) and a token never expires while a request is in flight.
const (
	tokenLifetime    = time.Hour
	tokenRenewBefore = time.Minute
)

// authorizer gives the Authorization header value for a publish request;
// "" means send none.
type authorizer interface {
	authorization() (string, error)
}

// staticAuth is a header value that never changes (Bearer, Basic, none).
type staticAuth string

func (a staticAuth) authorization() (string, error) { return string(a), nil }

// jwtAuth signs HS256 tokens {iss, exp} and caches the current one.
type jwtAuth struct {
	issuer string
	key    []byte
	now    func() time.Time

	mu      sync.Mutex // guards header and expires: publishes run in parallel
	header  string     // "Bearer <token>"
	expires time.Time
}

func (a *jwtAuth) authorization() (string, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	now := a.now()
	if a.header != "" && now.Before(a.expires.Add(-tokenRenewBefore)) {
		return a.header, nil
	}
	// exp is whole seconds on the wire: truncate so the cache agrees with it.
	expires := now.Add(tokenLifetime).Truncate(time.Second)
	claims := jwt.RegisteredClaims{Issuer: a.issuer, ExpiresAt: jwt.NewNumericDate(expires)}
	token, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(a.key)
	if err != nil {
		return "", fmt.Errorf("signing the publish token: %w", err)
	}
	a.header, a.expires = "Bearer "+token, expires
	return a.header, nil
}

// errBadBearer explains a key that cannot be sent as it is.
var errBadBearer = errors.New("a key without iss is sent as a Bearer token (a Fastly API token) and must be printable ASCII without spaces; to sign JWTs with it instead, add iss=<issuer> to GRIP_URL")

// newAuthorizer picks the authentication an endpoint asks for.
func newAuthorizer(ep Endpoint, now func() time.Time) (authorizer, error) {
	switch ep.authKind() {
	case "jwt":
		return &jwtAuth{issuer: ep.Issuer, key: ep.Key, now: now}, nil
	case "bearer":
		if !validBearer(ep.Key) {
			return nil, errBadBearer
		}
		return staticAuth("Bearer " + string(ep.Key)), nil
	case "basic":
		credentials := base64.StdEncoding.EncodeToString([]byte(ep.Username + ":" + ep.Password))
		return staticAuth("Basic " + credentials), nil
	}
	return staticAuth(""), nil
}

// validBearer reports whether key can be sent as a Bearer token: visible
// ASCII only, so it can neither break the header nor carry a space.
func validBearer(key []byte) bool {
	for _, c := range key {
		if c <= ' ' || c >= 0x7f {
			return false
		}
	}
	return true
}
