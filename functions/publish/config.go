package main

import (
	"context"

	"github.com/faas-grip/faas-grip-go/internal/edge"
	"github.com/faas-grip/faas-grip-go/internal/history"
)

// configure builds the handler once per cold start from what the edge
// loaded and the history store (HISTORY_DIR or HISTORY_TABLE; neither: no
// history). Any error stops the cold start.
func configure(ctx context.Context, cold edge.ColdStart) (*Handler, error) {
	store, err := history.FromEnv(ctx, cold.Getenv)
	if err != nil {
		return nil, err
	}
	return &Handler{Grip: cold.Grip, Publisher: cold.Publisher, History: store, Logger: cold.Logger}, nil
}
