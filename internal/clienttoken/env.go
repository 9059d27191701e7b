package clienttoken

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"
)

// The settings FromEnv reads.
const (
	EnvIssuer    = "CLIENT_TOKEN_ISSUER"
	EnvAudience  = "CLIENT_TOKEN_AUDIENCE"
	EnvJWKSURL   = "CLIENT_TOKEN_JWKS_URL"
	EnvSecret    = "CLIENT_TOKEN_SECRET"     // the HS256 secret itself: local runs
	EnvSecretARN = "CLIENT_TOKEN_SECRET_ARN" // a Secrets Manager secret holding it: deployments
)

// SecretTimeout bounds LoadSecret at cold start.
const SecretTimeout = 3 * time.Second

// Options is what FromEnv cannot read from the environment.
type Options struct {
	// Deployed is true in a deployment (see Config.Deployed).
	Deployed bool
	// LoadSecret reads a Secrets Manager secret's string by id (ARN or
	// name): the edge's client, when CLIENT_TOKEN_SECRET_ARN is set.
	LoadSecret func(ctx context.Context, secretID string) (string, error)
	HTTPClient *http.Client // see Config.HTTPClient
	Logger     *slog.Logger // see Config.Logger
}

// FromEnv builds the Verifier a function's settings ask for:
//
//	CLIENT_TOKEN_ISSUER      iss, e.g. https://cognito-idp.<region>.amazonaws.com/<pool-id>
//	CLIENT_TOKEN_AUDIENCE    aud, e.g. the Cognito app client id
//	CLIENT_TOKEN_JWKS_URL    the provider's keys (RS256, ES256), or
//	CLIENT_TOKEN_SECRET      an HS256 secret (wins over the ARN, like GRIP_URL), or
//	CLIENT_TOKEN_SECRET_ARN  the Secrets Manager secret holding it
//
// None set: tokens are off, and FromEnv returns nil, nil. Any set without
// the others it needs (issuer and audience, exactly one key) is an error
// wrapping ErrConfig that names the variables to fix. A secret read from
// Secrets Manager counts as deployed, as lambdaenv does for GRIP_URL.
func FromEnv(ctx context.Context, getenv func(string) string, opts Options) (*Verifier, error) {
	cfg := Config{
		Issuer: getenv(EnvIssuer), Audience: getenv(EnvAudience), JWKSURL: getenv(EnvJWKSURL),
		Deployed: opts.Deployed, HTTPClient: opts.HTTPClient, Logger: opts.Logger,
	}
	secret, arn := getenv(EnvSecret), getenv(EnvSecretARN)
	if cfg.Issuer == "" && cfg.Audience == "" && cfg.JWKSURL == "" && secret == "" && arn == "" {
		return nil, nil
	}
	if cfg.Issuer == "" || cfg.Audience == "" {
		return nil, fmt.Errorf("%w: set both %s and %s, or neither (tokens off)", ErrConfig, EnvIssuer, EnvAudience)
	}
	if cfg.JWKSURL != "" && (secret != "" || arn != "") {
		return nil, fmt.Errorf("%w: set %s or an HS256 secret (%s, %s), not both", ErrConfig, EnvJWKSURL, EnvSecret, EnvSecretARN)
	}
	if cfg.JWKSURL == "" && secret == "" && arn == "" {
		return nil, fmt.Errorf("%w: client tokens need a key: set %s (RS256, ES256) or %s (HS256)", ErrConfig, EnvJWKSURL, EnvSecretARN)
	}
	if secret == "" && arn != "" {
		if opts.LoadSecret == nil {
			return nil, fmt.Errorf("%w: %s is set but this function was given no way to read secrets", ErrConfig, EnvSecretARN)
		}
		lctx, cancel := context.WithTimeout(ctx, SecretTimeout)
		s, err := opts.LoadSecret(lctx, arn)
		cancel()
		if err != nil {
			return nil, fmt.Errorf("%w: cannot read %s %s: %v", ErrConfig, EnvSecretARN, arn, err)
		}
		if s == "" {
			return nil, fmt.Errorf("%w: the secret %s is empty", ErrConfig, arn)
		}
		secret, cfg.Deployed = s, true
	}
	cfg.Secret = []byte(secret)
	return New(ctx, cfg)
}
