package main

import (
	"context"
	"fmt"
	"time"

	"github.com/faas-grip/faas-grip-go/internal/edge"
	"github.com/faas-grip/faas-grip-go/internal/history"
)

// configure builds the handler once per cold start from what the edge
// loaded, the history store (HISTORY_DIR or HISTORY_TABLE; neither: no
// history) and LONGPOLL_RELEASE_CHECK. Any error stops the cold start.
func configure(ctx context.Context, cold edge.ColdStart) (*Handler, error) {
	store, err := history.FromEnv(ctx, cold.Getenv)
	if err != nil {
		return nil, err
	}
	delay, err := releaseCheckDelay(cold.Getenv)
	if err != nil {
		return nil, err
	}
	return &Handler{Grip: cold.Grip, Publisher: cold.Publisher, History: store, ReleaseCheckDelay: delay, Logger: cold.Logger, Metrics: cold.Metrics}, nil
}

// releaseCheckDelay reads LONGPOLL_RELEASE_CHECK (a Go duration; 0 turns
// the checks off); unset, defaultReleaseCheckDelay. A value that does not
// parse fails the cold start rather than silently meaning the default.
func releaseCheckDelay(getenv func(string) string) (time.Duration, error) {
	v := getenv("LONGPOLL_RELEASE_CHECK")
	if v == "" {
		return defaultReleaseCheckDelay, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 || d > 5*time.Second {
		return 0, fmt.Errorf("LONGPOLL_RELEASE_CHECK=%q: want a Go duration from 0 (off) to 5s, such as 400ms", v)
	}
	return d, nil
}
