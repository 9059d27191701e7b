package clienttoken

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/MicahParks/keyfunc/v3"
	"github.com/golang-jwt/jwt/v5"
	"golang.org/x/time/rate"
)

// JWKSTimeout bounds every JWKS fetch. The first one runs in the cold start,
// which Lambda bills and a waiting client sits through: an identity provider
// that does not answer in this time fails it clearly instead.
const JWKSTimeout = 3 * time.Second

// RefreshUnknownKIDEvery is how often, at most, a token whose kid is not in
// the key set makes us fetch the set again. A provider rotating keys is
// picked up by the first token signed with the new one; a client sending
// made-up kids costs the provider one request a minute, and the others are
// refused at once.
const RefreshUnknownKIDEvery = time.Minute

// refreshEvery is the background refresh, which drops keys the provider
// has revoked.
const refreshEvery = time.Hour

// jwksMethods are the algorithms a key set may verify. HS256 is not one: a
// public key must never become an HMAC secret.
var jwksMethods = []string{"RS256", "ES256"}

var errKeyKind = errors.New("the key does not fit the token's alg")

type jwks struct{ kf keyfunc.Keyfunc }

// newJWKS fetches the key set now (see JWKSTimeout), and refuses one with no
// RS256 or ES256 key: the usual mistake is the issuer's URL or its
// openid-configuration, which decode as an empty set.
func newJWKS(ctx context.Context, cfg Config) (*jwks, error) {
	u, err := url.Parse(cfg.JWKSURL)
	switch {
	case err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http"):
		return nil, fmt.Errorf("%w: the JWKS URL %q is not an http(s) URL", ErrConfig, cfg.JWKSURL)
	case cfg.Deployed && u.Scheme != "https":
		return nil, fmt.Errorf("%w: the JWKS URL %q must be https in a deployment: keys fetched in the clear can be swapped", ErrConfig, cfg.JWKSURL)
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	every := cfg.unknownKIDEvery
	if every == 0 {
		every = RefreshUnknownKIDEvery
	}
	// The refresh goroutine lives as long as ctx, even after a failed first
	// fetch: that failure ends the cold start, and with it the process.
	noErrorFirst := false
	kf, err := keyfunc.NewDefaultOverrideCtx(ctx, []string{cfg.JWKSURL}, keyfunc.Override{
		Client:                    httpClient(cfg),
		HTTPTimeout:               JWKSTimeout,
		NoErrorReturnFirstHTTPReq: &noErrorFirst,
		// Also bounds the wait for the limiter: a request whose kid is
		// unknown is refused at once rather than held for a minute.
		RateLimitWaitMax:  JWKSTimeout,
		RefreshInterval:   refreshEvery,
		RefreshUnknownKID: rate.NewLimiter(rate.Every(every), 1),
		RefreshErrorHandlerFunc: func(u string) func(context.Context, error) {
			return func(ctx context.Context, err error) {
				logger.WarnContext(ctx, "JWKS refresh failed", "url", u, "error", err.Error())
			}
		},
	})
	if err != nil {
		return nil, fmt.Errorf("%w: cannot fetch the JWKS from %s (check the URL and that it answers within %s): %v",
			ErrConfig, cfg.JWKSURL, JWKSTimeout, err)
	}
	all, err := kf.Storage().KeyReadAll(ctx)
	if err == nil {
		n := 0
		for _, k := range all {
			if usableKey(k.Key()) {
				n++
			}
		}
		if n == 0 {
			err = errors.New("it has no RS256 (2048 bits or more) or ES256 key: is it the key set (…/.well-known/jwks.json), not the issuer or its openid-configuration?")
		}
	}
	if err != nil {
		return nil, fmt.Errorf("%w: the JWKS at %s: %v", ErrConfig, cfg.JWKSURL, err)
	}
	return &jwks{kf: kf}, nil
}

// httpClient copies the caller's client (or makes one) with our timeout, and
// when deployed refuses redirects off https.
func httpClient(cfg Config) *http.Client {
	c := &http.Client{}
	if cfg.HTTPClient != nil {
		*c = *cfg.HTTPClient
	}
	if c.Timeout == 0 || c.Timeout > JWKSTimeout {
		c.Timeout = JWKSTimeout
	}
	if cfg.Deployed {
		c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
			if req.URL.Scheme != "https" || len(via) >= 5 {
				return errors.New("JWKS redirect refused: a deployment fetches keys over https only")
			}
			return nil
		}
	}
	return c
}

// keyfunc is keyfunc's own (which already refuses a JWK whose alg differs
// from the token's) plus a check that the key's kind fits the token's alg:
// a JWK without alg could otherwise be tried with any method.
func (j *jwks) keyfunc(ctx context.Context) jwt.Keyfunc {
	inner := j.kf.KeyfuncCtx(ctx)
	return func(t *jwt.Token) (any, error) {
		key, err := inner(t)
		if err != nil {
			return nil, err
		}
		alg := t.Method.Alg()
		if set, ok := key.(jwt.VerificationKeySet); ok { // a token without kid
			var fit jwt.VerificationKeySet
			for _, k := range set.Keys {
				if keyFits(alg, k) {
					fit.Keys = append(fit.Keys, k)
				}
			}
			return fit, nil
		}
		if !keyFits(alg, key) {
			return nil, errKeyKind
		}
		return key, nil
	}
}

func keyFits(alg string, key any) bool {
	switch k := key.(type) {
	case *rsa.PublicKey:
		return alg == "RS256" && k.N.BitLen() >= 2048
	case *ecdsa.PublicKey:
		return alg == "ES256" && k.Curve == elliptic.P256()
	}
	return false
}

func usableKey(key any) bool {
	if pk, ok := key.(interface{ Public() crypto.PublicKey }); ok {
		key = pk.Public()
	}
	return keyFits("RS256", key) || keyFits("ES256", key)
}
