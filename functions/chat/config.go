package main

import (
	"context"
	"fmt"
	"math"
	"strconv"

	"github.com/faas-grip/faas-grip-go/internal/edge"
	"github.com/faas-grip/faas-grip-go/internal/grip"
	"github.com/faas-grip/faas-grip-go/internal/history"
)

// The defaults a chat gets when its environment says nothing: a person types
// far slower than 10 messages a second, and 4 KiB is a long chat message.
const (
	defaultChannel           = "chat"
	defaultMessagesPerSecond = 10
	defaultBurst             = 20
	defaultMaxMessageBytes   = 4 << 10
)

// Limits bound what one connection may make the chat broadcast. Every
// message is an invocation plus a fan-out to every subscriber, so a zero
// field means the default, never "unlimited".
type Limits struct {
	MessagesPerSecond float64 // refill rate of each connection's token bucket
	Burst             int     // bucket size: messages sendable at once after a pause
	MaxMessageBytes   int     // longest message broadcast, in bytes of UTF-8
}

// withDefaults fills the zero fields, so a Handler built without Limits
// (as tests and forks do) is still limited.
func (l Limits) withDefaults() Limits {
	if l.MessagesPerSecond <= 0 {
		l.MessagesPerSecond = defaultMessagesPerSecond
	}
	if l.Burst <= 0 {
		l.Burst = defaultBurst
	}
	if l.MaxMessageBytes <= 0 {
		l.MaxMessageBytes = defaultMaxMessageBytes
	}
	return l
}

// configure builds the handler once per cold start from what the edge
// loaded and the chat's own settings (loadConfig). Any error stops the cold
// start.
func configure(ctx context.Context, cold edge.ColdStart) (*Handler, error) {
	cfg, err := loadConfig(cold.Getenv, cold.Grip)
	if err != nil {
		return nil, err
	}
	var store history.Store
	if cfg.History {
		if store, err = history.FromEnv(ctx, cold.Getenv); err != nil {
			return nil, err
		}
	}
	return &Handler{Grip: cold.Grip, Publisher: cold.Publisher, Channel: cfg.Channel,
		Tokens: cold.Tokens, Limits: cfg.Limits, History: store, Logger: cold.Logger, Metrics: cold.Metrics}, nil
}

// config is what the chat reads from its environment at cold start.
type config struct {
	Channel string
	Limits  Limits
	// History: number messages in the history that HISTORY_DIR or
	// HISTORY_TABLE names (neither: none, as when off).
	History bool
}

// loadConfig reads CHAT_CHANNEL, CHAT_HISTORY, CHAT_RATE, CHAT_BURST and
// CHAT_MAX_MESSAGE_BYTES. A value that does not parse, or would turn a limit
// off, fails the cold start: a typo must not silently leave the chat open.
func loadConfig(getenv func(string) string, g grip.Config) (config, error) {
	c := config{Channel: defaultChannel, History: true}
	if v := getenv("CHAT_CHANNEL"); v != "" {
		c.Channel = v
	}
	switch v := getenv("CHAT_HISTORY"); v {
	case "", "on":
	case "off":
		c.History = false
	default:
		return config{}, fmt.Errorf("CHAT_HISTORY=%q: want on (the default) or off", v)
	}
	if err := g.CheckChannel(c.Channel); err != nil { // with GRIP_PREFIX, as the proxy sees it
		return config{}, fmt.Errorf("CHAT_CHANNEL: %w", err)
	}

	var err error
	if c.Limits.MessagesPerSecond, err = positiveFloat(getenv, "CHAT_RATE", defaultMessagesPerSecond); err != nil {
		return config{}, err
	}
	if c.Limits.Burst, err = positiveInt(getenv, "CHAT_BURST", defaultBurst); err != nil {
		return config{}, err
	}
	if c.Limits.MaxMessageBytes, err = positiveInt(getenv, "CHAT_MAX_MESSAGE_BYTES", defaultMaxMessageBytes); err != nil {
		return config{}, err
	}
	return c, nil
}

func positiveFloat(getenv func(string) string, name string, fallback float64) (float64, error) {
	v := getenv(name)
	if v == "" {
		return fallback, nil
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || !(f > 0) || math.IsInf(f, 0) {
		return 0, fmt.Errorf("%s=%q: want a number of messages per second above 0, e.g. %v", name, v, fallback)
	}
	return f, nil
}

// maxLimitInt keeps milli-token arithmetic far from int64 overflow.
const maxLimitInt = 1 << 30

func positiveInt(getenv func(string) string, name string, fallback int) (int, error) {
	v := getenv(name)
	if v == "" {
		return fallback, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 || n > maxLimitInt {
		return 0, fmt.Errorf("%s=%q: want a whole number from 1 to %d, e.g. %d", name, v, maxLimitInt, fallback)
	}
	return n, nil
}
