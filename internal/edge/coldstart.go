package edge

import (
	"context"
	"log/slog"

	"github.com/faas-grip/faas-grip-go/internal/grip"
	"github.com/faas-grip/faas-grip-go/internal/lambdaenv"
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
}

// load reads the GRIP configuration. sm is nil outside tests: a Secrets
// Manager client is then made from the environment, if the secret is needed.
func load(ctx context.Context, getenv func(string) string, logger *slog.Logger, sm lambdaenv.SecretGetter) (*lambdaenv.Env, ColdStart, error) {
	env, err := lambdaenv.Load(ctx, getenv, sm)
	if err != nil {
		return nil, ColdStart{}, err
	}
	return env, ColdStart{Grip: env.Grip, Publisher: env.Publisher, Logger: logger, Getenv: getenv}, nil
}
