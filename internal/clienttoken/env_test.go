package clienttoken

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// TestFromEnv proves off by default, one switch on, and a clear cold-start
// error for every partial configuration.
func TestFromEnv(t *testing.T) {
	jwksURL := standardJWKS(t).URL
	strong, short := string(testSecret), "short-secret"
	loader := func(secret string, err error) func(context.Context, string) (string, error) {
		return func(_ context.Context, id string) (string, error) {
			if id != "arn:secret" {
				t.Errorf("LoadSecret(%q)", id)
			}
			return secret, err
		}
	}
	for _, tc := range []struct {
		name     string
		env      map[string]string
		opts     Options
		off      bool   // want nil, nil
		wantErr  string // "" for a verifier
		wantDesc string
	}{
		{name: "nothing set: off", off: true},
		{name: "JWKS", env: map[string]string{EnvIssuer: testIss, EnvAudience: testAud, EnvJWKSURL: jwksURL}, wantDesc: "RS256/ES256 keys from " + jwksURL},
		{name: "local secret", env: map[string]string{EnvIssuer: testIss, EnvAudience: testAud, EnvSecret: short}, wantDesc: "HS256"},
		{name: "deployed short secret", env: map[string]string{EnvIssuer: testIss, EnvAudience: testAud, EnvSecret: short},
			opts: Options{Deployed: true}, wantErr: "at least 32"},
		{name: "deployed strong secret", env: map[string]string{EnvIssuer: testIss, EnvAudience: testAud, EnvSecret: strong},
			opts: Options{Deployed: true}, wantDesc: "HS256"},
		{name: "secret from Secrets Manager", env: map[string]string{EnvIssuer: testIss, EnvAudience: testAud, EnvSecretARN: "arn:secret"},
			opts: Options{LoadSecret: loader(strong, nil)}, wantDesc: "HS256"},
		{name: "a short secret from Secrets Manager counts as deployed", env: map[string]string{EnvIssuer: testIss, EnvAudience: testAud, EnvSecretARN: "arn:secret"},
			opts: Options{LoadSecret: loader(short, nil)}, wantErr: "at least 32"},
		{name: "secret wins over its ARN", env: map[string]string{EnvIssuer: testIss, EnvAudience: testAud, EnvSecret: strong, EnvSecretARN: "arn:secret"},
			wantDesc: "HS256"},
		{name: "Secrets Manager fails", env: map[string]string{EnvIssuer: testIss, EnvAudience: testAud, EnvSecretARN: "arn:secret"},
			opts: Options{LoadSecret: loader("", errors.New("AccessDeniedException"))}, wantErr: "AccessDeniedException"},
		{name: "ARN without a loader", env: map[string]string{EnvIssuer: testIss, EnvAudience: testAud, EnvSecretARN: "arn:secret"},
			wantErr: "no way to read secrets"},
		{name: "issuer without audience", env: map[string]string{EnvIssuer: testIss, EnvJWKSURL: jwksURL}, wantErr: EnvAudience},
		{name: "audience without issuer", env: map[string]string{EnvAudience: testAud, EnvSecret: strong}, wantErr: EnvIssuer},
		{name: "only a key", env: map[string]string{EnvJWKSURL: jwksURL}, wantErr: EnvIssuer},
		{name: "JWKS and secret", env: map[string]string{EnvIssuer: testIss, EnvAudience: testAud, EnvJWKSURL: jwksURL, EnvSecret: strong}, wantErr: "not both"},
		{name: "JWKS and secret ARN", env: map[string]string{EnvIssuer: testIss, EnvAudience: testAud, EnvJWKSURL: jwksURL, EnvSecretARN: "arn:secret"}, wantErr: "not both"},
		{name: "no key", env: map[string]string{EnvIssuer: testIss, EnvAudience: testAud}, wantErr: EnvJWKSURL},
		{name: "deployed http JWKS", env: map[string]string{EnvIssuer: testIss, EnvAudience: testAud, EnvJWKSURL: jwksURL},
			opts: Options{Deployed: true}, wantErr: "must be https"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, err := FromEnv(t.Context(), func(k string) string { return tc.env[k] }, tc.opts)
			switch {
			case tc.off:
				if v != nil || err != nil {
					t.Fatalf("FromEnv = %v, %v, want nil, nil", v, err)
				}
			case tc.wantErr != "":
				if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want ErrConfig with %q", err, tc.wantErr)
				}
				if v != nil {
					t.Fatal("a verifier beside the error")
				}
			default:
				if err != nil || !strings.Contains(v.String(), tc.wantDesc) {
					t.Fatalf("FromEnv = %v, %v, want %q", v, err, tc.wantDesc)
				}
			}
		})
	}
}
