package clienttoken

import (
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Claims is what a verified token says about its holder.
type Claims struct {
	Subject string // sub: the user's stable id
	// Name is for display: the name claim, or Subject when the token has none.
	Name string
	// Expiry is exp. Expired tells whether a connection should close.
	Expiry time.Time
	// Channels is the channels claim as the token lists it; Grants reads it.
	Channels []string
}

// Grants reports whether the token grants channel. An entry ending in "*"
// grants every name that starts with what precedes the star: "news*"
// grants "news", "news-eu" and "newsletter"; "*" alone grants all. Any
// other entry grants exactly that name. Channel names are the ones clients
// see, before any GRIP_PREFIX.
func (c *Claims) Grants(channel string) bool {
	if channel == "" {
		return false
	}
	for _, e := range c.Channels {
		if prefix, ok := strings.CutSuffix(e, "*"); ok {
			if strings.HasPrefix(channel, prefix) {
				return true
			}
		} else if e == channel {
			return true
		}
	}
	return false
}

// Require returns nil when the token grants every one of channels, else a
// 403 insufficient_scope refusal naming the first one it does not.
func (c *Claims) Require(channels ...string) *Refusal {
	for _, ch := range channels {
		if !c.Grants(ch) {
			return insufficientScope(ch)
		}
	}
	return nil
}

// Expired reports whether the token has expired at t, with the same Leeway
// Verify allows, so that a connection is closed at the moment its token
// would first be refused.
func (c *Claims) Expired(t time.Time) bool {
	return !t.Before(c.Expiry.Add(Leeway))
}

// tokenClaims is the JSON of a token. A channels claim that is not an array
// of strings fails decoding, and so the token: better than granting nothing
// silently to a token minted wrong.
type tokenClaims struct {
	jwt.RegisteredClaims
	Name     string   `json:"name,omitempty"`
	Channels []string `json:"channels,omitempty"`
}

func (t *tokenClaims) claims() *Claims {
	c := &Claims{Subject: t.Subject, Name: t.Name, Channels: t.Channels}
	if c.Name == "" {
		c.Name = c.Subject
	}
	if t.ExpiresAt != nil {
		c.Expiry = t.ExpiresAt.Time
	}
	return c
}
