package main

import (
	"context"

	"github.com/faas-grip/faas-grip-go/internal/history"
)

// Configure reads the rest of the handler's settings at cold start: the
// history store (HISTORY_DIR or HISTORY_TABLE), LONGPOLL_TIMEOUT, and checks
// the default channel. Any error stops the cold start.
func (h *Handler) Configure(ctx context.Context, getenv func(string) string) error {
	timeout, err := holdTimeout(getenv)
	if err != nil {
		return err
	}
	store, err := history.FromEnv(ctx, getenv)
	if err != nil {
		return err
	}
	h.Timeout, h.History = timeout, store
	return h.CheckConfig()
}
