// Command publish turns SQS messages (or a direct invoke) into GRIP publishes:
// every client held on the message's channel, by any of the other functions,
// receives it.
package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/faas-grip/faas-grip-go/internal/history"
	"github.com/faas-grip/faas-grip-go/internal/lambdaenv"
	"github.com/faas-grip/faas-grip-go/internal/recovery"
)

func main() {
	logger := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	ctx := context.Background()
	env, err := lambdaenv.Load(ctx, os.Getenv, nil)
	if err != nil {
		logger.Error("cold start failed", "error", err)
		os.Exit(1)
	}
	store, err := history.FromEnv(ctx, os.Getenv)
	if err != nil {
		logger.Error("cold start failed", "error", err)
		os.Exit(1)
	}
	h := &Handler{Publisher: env.Publisher, History: store, Logger: logger}
	lambda.Start(recovery.Event(logger, h.Handle))
}
