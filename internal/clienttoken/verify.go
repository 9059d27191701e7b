package clienttoken

import (
	"context"
	"errors"
	"net/http"
	"net/url"

	"github.com/MicahParks/jwkset"
	"github.com/golang-jwt/jwt/v5"
)

// Verify checks the request's token (Authorization: Bearer, or the
// access_token query parameter) and returns what it claims, or a refusal:
//   - no token: 401 with a bare "Bearer" challenge;
//   - two tokens, or a malformed one: 400 invalid_request;
//   - a token that does not verify (signature, alg, iss, aud, exp, nbf,
//     no sub): 401 invalid_token.
//
// A nil Verifier (tokens off) returns nil, nil. ctx bounds a JWKS refresh
// that a new kid may trigger.
func (v *Verifier) Verify(ctx context.Context, h http.Header, q url.Values) (*Claims, *Refusal) {
	if v == nil {
		return nil, nil
	}
	raw, refused := tokenFrom(h, q)
	if refused != nil {
		return nil, refused
	}
	if raw == "" {
		return nil, noToken()
	}
	return v.check(ctx, raw)
}

// Authorize is Verify, then a 403 insufficient_scope refusal unless the
// token grants every one of channels (see Claims.Grants).
func (v *Verifier) Authorize(ctx context.Context, h http.Header, q url.Values, channels ...string) (*Claims, *Refusal) {
	c, refused := v.Verify(ctx, h, q)
	if refused != nil || c == nil {
		return c, refused
	}
	if refused := c.Require(channels...); refused != nil {
		return nil, refused
	}
	return c, nil
}

func (v *Verifier) check(ctx context.Context, raw string) (*Claims, *Refusal) {
	if len(raw) > maxTokenBytes {
		return nil, invalidToken("invalid token", "token longer than 8 KiB")
	}
	var tc tokenClaims
	if _, err := v.parser.ParseWithClaims(raw, &tc, v.keyfunc(ctx)); err != nil {
		return nil, refusalFor(err)
	}
	if tc.Subject == "" {
		return nil, invalidToken("invalid token", "token has no sub")
	}
	return tc.claims(), nil
}

// refusalFor turns a parse error into fixed words. The error itself is not
// passed on: golang-jwt and keyfunc errors may quote bits of the token's
// header or payload, which a log must not hold.
func refusalFor(err error) *Refusal {
	const generic = "invalid token"
	switch {
	case errors.Is(err, jwt.ErrTokenMalformed):
		return invalidToken(generic, "malformed token")
	case errors.Is(err, jwt.ErrTokenSignatureInvalid):
		return invalidToken(generic, "bad signature, or an alg this verifier does not accept")
	case errors.Is(err, jwkset.ErrKeyNotFound):
		return invalidToken(generic, "kid not in the JWKS (refetched at most once a minute)")
	case errors.Is(err, errKeyKind):
		return invalidToken(generic, "the token's alg does not fit its key")
	case errors.Is(err, jwt.ErrTokenUnverifiable):
		return invalidToken(generic, "no key for the token: a kid not in the JWKS (refetched at most once a minute), or an alg its key does not declare")
	case errors.Is(err, jwt.ErrTokenExpired):
		return invalidToken("the token expired", "token expired")
	case errors.Is(err, jwt.ErrTokenNotValidYet):
		return invalidToken("the token is not valid yet", "token nbf in the future")
	case errors.Is(err, jwt.ErrTokenInvalidIssuer):
		return invalidToken(generic, "wrong iss")
	case errors.Is(err, jwt.ErrTokenInvalidAudience):
		return invalidToken(generic, "wrong aud")
	case errors.Is(err, jwt.ErrTokenRequiredClaimMissing):
		return invalidToken(generic, "token lacks iss, aud or exp")
	}
	return invalidToken(generic, "invalid claims")
}
