// Command longpoll is the HTTP long-polling function: GET /longpoll answers at
// once when the client is behind, and otherwise has the GRIP proxy hold the
// request (Grip-Hold: response) until a publish or the timeout.
package main

import (
	"context"
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/faas-grip/faas-grip-go/internal/grip/apigw"
	"github.com/faas-grip/faas-grip-go/internal/history"
	"github.com/faas-grip/faas-grip-go/internal/lambdaenv"
	"github.com/faas-grip/faas-grip-go/internal/recovery"
)

func main() {
	logger := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	ctx := context.Background()
	env, err := lambdaenv.LoadOrigin(ctx, os.Getenv, nil)
	if err != nil {
		logger.Error("cold start failed", "error", err)
		os.Exit(1)
	}
	store, err := history.FromEnv(ctx, os.Getenv)
	if err != nil {
		logger.Error("cold start failed", "error", err)
		os.Exit(1)
	}
	timeout := 55 * time.Second
	if v := os.Getenv("LONGPOLL_TIMEOUT"); v != "" {
		if d, err := time.ParseDuration(v); err == nil && d > 0 {
			timeout = d
		}
	}
	h := &Handler{Env: env, History: store, DefaultChannel: "news", Timeout: timeout, Logger: logger}
	if err := h.CheckConfig(); err != nil {
		logger.Error("cold start failed", "error", err)
		os.Exit(1)
	}
	lambda.Start(apigw.Adapt(recovery.HTTP(logger, h.Handle)))
}
