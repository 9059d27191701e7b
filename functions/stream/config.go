package main

import (
	"context"

	"github.com/faas-grip/faas-grip-go/internal/edge"
	"github.com/faas-grip/faas-grip-go/internal/feed"
	"github.com/faas-grip/faas-grip-go/internal/history"
)

// defaultChannel is what a request without ?channel= streams.
const defaultChannel = "news"

// configure builds the handler once per cold start from what the edge
// loaded and the history store (HISTORY_DIR or HISTORY_TABLE; neither:
// live only). A default channel no request could use stops the cold start.
func configure(ctx context.Context, cold edge.ColdStart) (*Handler, error) {
	store, err := history.FromEnv(ctx, cold.Getenv)
	if err != nil {
		return nil, err
	}
	if err := feed.CheckDefaultChannel(cold.Grip, defaultChannel); err != nil {
		return nil, err
	}
	return &Handler{Grip: cold.Grip, History: store, DefaultChannel: defaultChannel, Tokens: cold.Tokens, Logger: cold.Logger}, nil
}
