package edge

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"

	"github.com/faas-grip/faas-grip-go/internal/clienttoken"
	"github.com/faas-grip/faas-grip-go/internal/emf"
	"github.com/faas-grip/faas-grip-go/internal/grip"
)

// ColdStart is what the edge loaded once per cold start, for a function's
// setup to build its handler from.
type ColdStart struct {
	// Grip is every GRIP endpoint of GRIP_URL (or of the secret named by
	// GRIP_URL_SECRET_ARN) and GRIP_PREFIX.
	Grip grip.Config
	// Publisher publishes to every endpoint of Grip.
	Publisher *grip.Publisher
	// Logger writes JSON lines to stdout, which Lambda sends to CloudWatch.
	Logger *slog.Logger
	// Getenv reads the function's own settings: os.Getenv when deployed, a
	// map in tests.
	Getenv func(string) string
	// Deployed says this is a deployment, where guessable keys are refused:
	// the GRIP URL came from Secrets Manager, or the process runs in Lambda
	// itself (AWS_LAMBDA_FUNCTION_NAME set, AWS_SAM_LOCAL not: sam local and
	// this repository's local stack set it). So a GRIP_URL set on a deployed
	// function gets the same refusal as the secret.
	Deployed bool
	// Tokens verifies the end user's client token (CLIENT_TOKEN_*); nil when
	// tokens are off, and a nil Verifier lets every request through. Set
	// for HTTP functions only.
	Tokens *clienttoken.Verifier
	// Metrics writes the function's own metrics as EMF lines on stdout, in
	// the edge's namespace with its FunctionName dimension (metrics.go);
	// nil, which emits nothing, outside Lambda and in tests.
	Metrics *emf.Writer

	// sigRequired (GRIP_SIG_REQUIRED, default true) asks the Grip-Sig policy
	// to refuse every request when no verify key is configured.
	sigRequired bool
}

// load reads the GRIP settings: GRIP_URL if set, else the Secrets Manager
// secret named by GRIP_URL_SECRET_ARN (sm may be nil: a client is then made
// from the environment, if the secret is needed). With neither, there are
// no endpoints: handlers still answer, and publishing fails with a clear
// error.
func load(ctx context.Context, getenv func(string) string, logger *slog.Logger, sm secretGetter) (ColdStart, error) {
	gripURL := getenv("GRIP_URL")
	fromSecret := false
	if gripURL == "" {
		if arn := getenv("GRIP_URL_SECRET_ARN"); arn != "" {
			if sm == nil {
				client, err := newSecretsManager(getenv)
				if err != nil {
					return ColdStart{}, err
				}
				sm = client
			}
			secret, err := fetchSecret(ctx, sm, arn)
			if err != nil {
				return ColdStart{}, err
			}
			gripURL, fromSecret = secret, true
		}
	}

	required := true
	if v := getenv("GRIP_SIG_REQUIRED"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return ColdStart{}, fmt.Errorf("GRIP_SIG_REQUIRED must be true or false, not %q", v)
		}
		required = b
	}

	inLambda := getenv("AWS_LAMBDA_FUNCTION_NAME") != "" && getenv("AWS_SAM_LOCAL") != "true"
	cold := ColdStart{Logger: logger, Getenv: getenv, Deployed: fromSecret || inLambda, sigRequired: required}
	if gripURL != "" {
		cfg, err := grip.ParseConfig(gripURL, getenv("GRIP_PREFIX"))
		if err != nil {
			return ColdStart{}, fmt.Errorf("GRIP URL: %w", err)
		}
		cold.Grip = cfg
	} else {
		cold.Grip.Prefix = getenv("GRIP_PREFIX")
	}
	cold.Publisher = grip.NewPublisher(cold.Grip)
	return cold, nil
}

// loadTokens builds the client-token verifier CLIENT_TOKEN_* ask for (nil:
// tokens off). Its HS256 secret, when kept in Secrets Manager, is read with
// the same client as the GRIP URL's. ctx bounds the verifier's background
// refresh of a JWKS: the process's life.
func loadTokens(ctx context.Context, cold *ColdStart, sm secretGetter) error {
	loadSecret := func(ctx context.Context, id string) (string, error) {
		if sm == nil {
			client, err := newSecretsManager(cold.Getenv)
			if err != nil {
				return "", err
			}
			sm = client
		}
		return sm.GetSecretString(ctx, id) // clienttoken bounds the call and names the secret
	}
	tokens, err := clienttoken.FromEnv(ctx, cold.Getenv, clienttoken.Options{Deployed: cold.Deployed, LoadSecret: loadSecret, Logger: cold.Logger})
	if err != nil {
		return err
	}
	if tokens != nil {
		cold.Logger.InfoContext(ctx, "client tokens on", "verifier", tokens.String())
	}
	cold.Tokens = tokens
	return nil
}
