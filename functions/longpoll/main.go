// Command longpoll is the HTTP long-polling function: GET /longpoll answers at
// once when the client is behind, and otherwise has the GRIP proxy hold the
// request (Grip-Hold: response) until a publish or the timeout.
package main

import (
	"context"

	"github.com/faas-grip/faas-grip-go/internal/edge"
	"github.com/faas-grip/faas-grip-go/internal/grip/apigw"
	"github.com/faas-grip/faas-grip-go/internal/history"
)

func main() {
	edge.ServeHTTP(setup)
}

// setup builds the handler once per cold start; edge checks Grip-Sig first.
func setup(ctx context.Context, cold edge.ColdStart) (apigw.Handler, error) {
	store, err := history.FromEnv(ctx, cold.Getenv)
	if err != nil {
		return nil, err
	}
	h := &Handler{Grip: cold.Grip, History: store, DefaultChannel: "news",
		Timeout: holdTimeout(cold.Getenv), Logger: cold.Logger}
	if err := h.CheckConfig(); err != nil {
		return nil, err
	}
	return h.Handle, nil
}
