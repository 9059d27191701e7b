package lambdaenv

import (
	"context"
	"encoding/base64"
	"fmt"
	"strconv"

	"github.com/faas-grip/faas-grip-go/internal/grip"
	"github.com/faas-grip/faas-grip-go/internal/grip/sig"
)

// Env is what a function builds once per cold start and reuses for every invocation.
type Env struct {
	Grip      grip.Config
	Publisher *grip.Publisher
	// Verifiers holds one Grip-Sig verifier per distinct verify key of the
	// GRIP endpoints; a request is accepted when any of them accepts it.
	Verifiers []*sig.Verifier
	// SigRequired refuses every request when no verifier is configured.
	SigRequired bool
	// deployed says the GRIP URL came from Secrets Manager, not a local GRIP_URL.
	deployed bool
}

// Load reads the GRIP settings: GRIP_URL if set, else the Secrets Manager secret
// named by GRIP_URL_SECRET_ARN (sm may be nil: a client is then made from the
// default AWS configuration). With neither, the Env has no endpoints: handlers
// still answer, and publishing fails with a clear error.
func Load(ctx context.Context, getenv func(string) string, sm SecretGetter) (*Env, error) {
	gripURL := getenv("GRIP_URL")
	fromSecret := false
	if gripURL == "" {
		if arn := getenv("GRIP_URL_SECRET_ARN"); arn != "" {
			if sm == nil {
				client, err := NewSecretsManager(getenv)
				if err != nil {
					return nil, err
				}
				sm = client
			}
			secret, err := FetchSecret(ctx, sm, arn)
			if err != nil {
				return nil, err
			}
			gripURL, fromSecret = secret, true
		}
	}

	required := true
	if v := getenv("GRIP_SIG_REQUIRED"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return nil, fmt.Errorf("lambdaenv: GRIP_SIG_REQUIRED must be true or false, not %q", v)
		}
		required = b
	}

	env := &Env{SigRequired: required, deployed: fromSecret}
	if gripURL != "" {
		cfg, err := grip.ParseConfig(gripURL, getenv("GRIP_PREFIX"))
		if err != nil {
			return nil, fmt.Errorf("lambdaenv: GRIP URL: %w", err)
		}
		env.Grip = cfg
	} else {
		env.Grip.Prefix = getenv("GRIP_PREFIX")
	}
	env.Publisher = grip.NewPublisher(env.Grip)
	return env, nil
}

// LoadOrigin is Load for the functions the GRIP proxy calls (chat, stream,
// long-poll): it also builds the Grip-Sig verifiers that Authorize uses. The
// publish function calls Load alone, so the verification code stays out of
// its binary.
func LoadOrigin(ctx context.Context, getenv func(string) string, sm SecretGetter) (*Env, error) {
	env, err := Load(ctx, getenv, sm)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, ep := range env.Grip.Endpoints {
		issuer, key := verifyKey(ep)
		if key == "" || seen[issuer+"\x00"+key] {
			continue
		}
		// A deployment must not trust a key anyone can guess; local runs may
		// use Pushpin's stock key, which signs the sample events.
		if env.deployed {
			if err := sig.CheckKeyStrength(key); err != nil {
				return nil, fmt.Errorf("lambdaenv: the Grip-Sig verify key of %s: %w", ep.String(), err)
			}
		}
		seen[issuer+"\x00"+key] = true
		v, err := sig.NewVerifier(issuer, key)
		if err != nil {
			return nil, fmt.Errorf("lambdaenv: verify key of %s: %w", ep.String(), err)
		}
		env.Verifiers = append(env.Verifiers, v)
	}
	return env, nil
}

// verifyKey is how an endpoint's Grip-Sig is checked: its verify-iss and
// verify-key, or for a legacy Fanout Cloud URL (iss and key, no verify-key)
// the realm key itself, which signs both ways.
func verifyKey(ep grip.Endpoint) (issuer, key string) {
	if ep.VerifyKey != "" {
		return ep.VerifyIssuer, ep.VerifyKey
	}
	if ep.Issuer != "" && len(ep.Key) > 0 {
		return "", "base64:" + base64.StdEncoding.EncodeToString(ep.Key)
	}
	return "", ""
}
