// Command stream is the HTTP streaming function: GET /stream holds the
// connection open at the GRIP proxy (Grip-Hold: stream) on a channel, and the
// proxy sends it everything published there.
package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/faas-grip/faas-grip-go/internal/grip/apigw"
	"github.com/faas-grip/faas-grip-go/internal/lambdaenv"
	"github.com/faas-grip/faas-grip-go/internal/recovery"
)

func main() {
	logger := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	env, err := lambdaenv.LoadOrigin(context.Background(), os.Getenv, nil)
	if err != nil {
		logger.Error("cold start failed", "error", err)
		os.Exit(1)
	}
	h := &Handler{Env: env, DefaultChannel: "news", Logger: logger}
	if err := h.CheckConfig(); err != nil {
		logger.Error("cold start failed", "error", err)
		os.Exit(1)
	}
	lambda.Start(apigw.Adapt(recovery.HTTP(logger, h.Handle)))
}
