// Command longpoll is the HTTP long-polling function: GET /longpoll answers at
// once when the client is behind, and otherwise has the GRIP proxy hold the
// request (Grip-Hold: response) until a publish or the timeout.
package main

import (
	"context"

	"github.com/faas-grip/faas-grip-go/internal/edge"
	"github.com/faas-grip/faas-grip-go/internal/grip/apigw"
)

func main() {
	edge.ServeHTTP(setup, edge.VerifyOnly()) // never publishes: refuse the publish credential
}

// setup builds the handler once per cold start; edge checks Grip-Sig first.
func setup(ctx context.Context, cold edge.ColdStart) (apigw.Handler, error) {
	h, err := configure(ctx, cold)
	if err != nil {
		return nil, err
	}
	return h.Handle, nil
}
