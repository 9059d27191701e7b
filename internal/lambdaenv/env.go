package lambdaenv

import (
	"context"
	"fmt"
	"strconv"

	"github.com/faas-grip/faas-grip-go/internal/grip"
)

// Env is what a function builds once per cold start and reuses for every invocation.
type Env struct {
	Grip      grip.Config
	Publisher *grip.Publisher
	// SigRequired (GRIP_SIG_REQUIRED, default true) asks the Grip-Sig policy
	// to refuse every request when no verify key is configured.
	SigRequired bool
	// Deployed says this is a deployment, where a guessable Grip-Sig key is
	// refused: the GRIP URL came from Secrets Manager, or the process runs
	// in Lambda itself (AWS_LAMBDA_FUNCTION_NAME set, AWS_SAM_LOCAL not:
	// sam local and this repository's local stack set it). So a GRIP_URL
	// set on a deployed function gets the same refusal as the secret.
	Deployed bool
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

	inLambda := getenv("AWS_LAMBDA_FUNCTION_NAME") != "" && getenv("AWS_SAM_LOCAL") != "true"
	env := &Env{SigRequired: required, Deployed: fromSecret || inLambda}
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
