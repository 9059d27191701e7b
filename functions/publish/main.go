// Command publish turns SQS messages (or a direct invoke) into GRIP publishes:
// every client held on the message's channel, by any of the other functions,
// receives it.
package main

import (
	"context"

	"github.com/faas-grip/faas-grip-go/internal/edge"
)

func main() {
	edge.ServeEvents(setup)
}

// setup builds the handler once per cold start.
func setup(ctx context.Context, cold edge.ColdStart) (edge.EventHandler, error) {
	h, err := configure(ctx, cold)
	if err != nil {
		return nil, err
	}
	return h.Handle, nil
}
