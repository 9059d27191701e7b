// Command chat is the WebSocket chat function: GET /chat serves the page, POST
// /chat speaks WebSocket-over-HTTP with the GRIP proxy.
//
// Its environment, besides what lambdaenv reads: CHAT_CHANNEL (default chat),
// CHAT_RATE (messages per second per connection, default 10), CHAT_BURST
// (default 20) and CHAT_MAX_MESSAGE_BYTES (default 4096).
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
	cfg, err := loadConfig(os.Getenv)
	if err != nil {
		logger.Error("cold start failed", "error", err)
		os.Exit(1)
	}
	h := &Handler{
		Env:       env,
		Publisher: env.Publisher,
		Channel:   cfg.Channel,
		Limits:    cfg.Limits,
		Logger:    logger,
	}
	lambda.Start(apigw.Adapt(recovery.HTTP(logger, h.Handle)))
}
