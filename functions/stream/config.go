package main

import (
	"context"

	"github.com/faas-grip/faas-grip-go/internal/edge"
	"github.com/faas-grip/faas-grip-go/internal/feed"
)

// defaultChannel is what a request without ?channel= streams.
const defaultChannel = "news"

// configure builds the handler once per cold start from what the edge
// loaded. A default channel no request could use stops the cold start.
func configure(_ context.Context, cold edge.ColdStart) (*Handler, error) {
	if err := feed.CheckDefaultChannel(cold.Grip, defaultChannel); err != nil {
		return nil, err
	}
	return &Handler{Grip: cold.Grip, DefaultChannel: defaultChannel, Tokens: cold.Tokens, Logger: cold.Logger}, nil
}
