package clienttoken

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Leeway is how far exp and nbf may be off and still pass. 30 s covers the
// clock difference between an identity provider and Lambda (both NTP-synced,
// usually well under a second apart) and a token used the instant it was
// minted, while extending a stolen token's life by no more than that.
const Leeway = 30 * time.Second

// MinSecretBytes is the shortest HS256 secret a deployment accepts: RFC 7518
// §3.2 wants a key at least as long as the hash (256 bits).
const MinSecretBytes = 32

// maxTokenBytes bounds what is parsed at all; real ID tokens are 1-2 KB.
const maxTokenBytes = 8 << 10

// ErrConfig is wrapped by every configuration error: partial settings, a
// weak secret, a JWKS that cannot be fetched or has no usable key.
var ErrConfig = errors.New("clienttoken: bad configuration")

// Config says which tokens to accept. Exactly one of JWKSURL and Secret is set.
type Config struct {
	Issuer   string // iss every token must carry
	Audience string // a value aud must contain
	// JWKSURL is the identity provider's key set (RS256, ES256). It must
	// be https when Deployed.
	JWKSURL string
	// Secret is an HS256 key, used as is: the bytes that sign are the
	// bytes that verify. At least MinSecretBytes long when Deployed.
	Secret []byte
	// Deployed refuses what only a local run may use: an http JWKS URL,
	// a short secret.
	Deployed bool
	// HTTPClient fetches the JWKS; nil for a client of our own. Either way
	// each fetch gives up after JWKSTimeout, and a deployment follows no
	// redirect away from https.
	HTTPClient *http.Client
	// Logger gets the background JWKS refresh failures; nil discards them.
	Logger *slog.Logger

	now             func() time.Time // tests' clock; nil for time.Now
	unknownKIDEvery time.Duration    // tests' refresh interval; 0 for RefreshUnknownKIDEvery
}

// Verifier checks end-user tokens. A nil *Verifier means tokens are off:
// its methods then accept every request, with nil Claims.
type Verifier struct {
	parser  *jwt.Parser
	keyfunc func(ctx context.Context) jwt.Keyfunc
	desc    string
}

// New builds a Verifier. With a JWKSURL it fetches the key set now, waiting
// at most JWKSTimeout: ctx bounds that fetch and, while it lives, the hourly
// background refresh (give it the process's lifetime).
func New(ctx context.Context, cfg Config) (*Verifier, error) {
	switch {
	case cfg.Issuer == "" || cfg.Audience == "":
		return nil, fmt.Errorf("%w: both the issuer and the audience are required", ErrConfig)
	case cfg.JWKSURL != "" && len(cfg.Secret) > 0:
		return nil, fmt.Errorf("%w: both a JWKS URL and an HS256 secret are set: keep the one your tokens are signed with", ErrConfig)
	case cfg.JWKSURL == "" && len(cfg.Secret) == 0:
		return nil, fmt.Errorf("%w: no key: set a JWKS URL (RS256, ES256) or an HS256 secret", ErrConfig)
	}
	opts := []jwt.ParserOption{
		jwt.WithIssuer(cfg.Issuer), jwt.WithAudience(cfg.Audience),
		jwt.WithExpirationRequired(), jwt.WithLeeway(Leeway),
	}
	if cfg.now != nil {
		opts = append(opts, jwt.WithTimeFunc(cfg.now))
	}
	v := &Verifier{}
	if cfg.JWKSURL != "" {
		keys, err := newJWKS(ctx, cfg)
		if err != nil {
			return nil, err
		}
		v.keyfunc = keys.keyfunc
		v.desc = "RS256/ES256 keys from " + cfg.JWKSURL
		opts = append(opts, jwt.WithValidMethods(jwksMethods))
	} else {
		if cfg.Deployed && len(cfg.Secret) < MinSecretBytes {
			return nil, fmt.Errorf("%w: the HS256 secret has %d bytes, a deployment needs at least %d: use the output of `openssl rand -hex 32`",
				ErrConfig, len(cfg.Secret), MinSecretBytes)
		}
		secret := append([]byte(nil), cfg.Secret...) // the caller may reuse its slice
		kf := jwt.Keyfunc(func(*jwt.Token) (any, error) { return secret, nil })
		v.keyfunc = func(context.Context) jwt.Keyfunc { return kf }
		v.desc = "an HS256 secret"
		opts = append(opts, jwt.WithValidMethods([]string{"HS256"}))
	}
	v.desc = fmt.Sprintf("client tokens from %s for %s, verified with %s", cfg.Issuer, cfg.Audience, v.desc)
	v.parser = jwt.NewParser(opts...)
	return v, nil
}

// String says what the Verifier accepts, for the cold-start log. It never
// contains the secret.
func (v *Verifier) String() string {
	if v == nil {
		return "client tokens off"
	}
	return v.desc
}
