package clienttoken

import (
	"errors"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// SignHS256 mints a token that a Verifier with the same secret, issuer and
// audience accepts: for local runs (tools/cmd/token) and tests. A deployment
// gets its tokens from its identity provider instead.
func SignHS256(secret []byte, issuer, audience string, c Claims, now time.Time) (string, error) {
	if len(secret) == 0 {
		return "", errors.New("clienttoken: no secret to sign with")
	}
	if c.Subject == "" || !c.Expiry.After(now) {
		return "", errors.New("clienttoken: a token needs a subject and an expiry after now")
	}
	tc := tokenClaims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer: issuer, Audience: jwt.ClaimStrings{audience}, Subject: c.Subject,
			IssuedAt: jwt.NewNumericDate(now), ExpiresAt: jwt.NewNumericDate(c.Expiry),
		},
		Channels: c.Channels,
	}
	if c.Name != c.Subject {
		tc.Name = c.Name
	}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, tc).SignedString(secret)
}
