package edge

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/faas-grip/faas-grip-go/internal/grip/apigw"
)

// errNoHandler is a setup that returned neither a handler nor an error.
var errNoHandler = errors.New("edge: the setup returned no handler and no error: return the handler, or an error saying what to fix")

// ServeHTTP runs a function that API Gateway (or a function URL) calls on
// behalf of the GRIP proxy. It loads the configuration, calls setup once,
// and serves every invocation through the Grip-Sig check, panic recovery
// and event adaptation; it never returns. A cold start that fails logs one
// "cold start failed" line and exits with status 1, as Lambda expects.
// It writes the edge's metrics (metrics.go) on stdout.
func ServeHTTP(setup func(context.Context, ColdStart) (apigw.Handler, error), opts ...Option) {
	start := time.Now()
	logger, metrics := newLogger(), newMetrics(os.Getenv, os.Stdout)
	h, err := NewHTTPHandler(context.Background(), os.Getenv, logger, setup, append(opts[:len(opts):len(opts)], withMetrics(metrics))...)
	if err != nil {
		exitColdStart(logger, err)
	}
	emitColdStart(metrics, time.Since(start))
	lambda.Start(h)
}

// ServeEvents runs a function invoked with raw events (SQS, a direct
// invoke): no Grip-Sig there, the invoker is AWS. Like ServeHTTP it loads
// the configuration, calls setup once, recovers panics, and never returns.
func ServeEvents(setup func(context.Context, ColdStart) (EventHandler, error)) {
	start := time.Now()
	logger, metrics := newLogger(), newMetrics(os.Getenv, os.Stdout)
	h, err := newEventHandler(context.Background(), os.Getenv, logger, metrics, setup)
	if err != nil {
		exitColdStart(logger, err)
	}
	emitColdStart(metrics, time.Since(start))
	lambda.Start(h)
}

// newLogger is the functions' logger: aws-lambda-go's own, which writes
// JSON when the template's LoggingConfig says LogFormat: JSON (Lambda sets
// AWS_LAMBDA_LOG_FORMAT), drops lines below ApplicationLogLevel
// (AWS_LAMBDA_LOG_LEVEL), and adds the invocation's "requestId" to every
// line logged with a context (InfoContext, WarnContext...): pass ctx.
func newLogger() *slog.Logger { return lambdacontext.NewLogger() }

// exitColdStart ends a cold start that cannot serve. Lambda reports the
// init error and retries the cold start on the next invocation.
func exitColdStart(logger *slog.Logger, err error) {
	logger.Error("cold start failed", "error", err)
	os.Exit(1)
}
