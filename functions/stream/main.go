// Command stream is the HTTP streaming function: GET /stream holds the
// connection open at the GRIP proxy (Grip-Hold: stream) on a channel, and the
// proxy sends it everything published there.
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
