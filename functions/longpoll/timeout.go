package main

import "time"

// defaultHoldTimeout is GRIP's own default for Grip-Timeout.
const defaultHoldTimeout = 55 * time.Second

// holdTimeout reads LONGPOLL_TIMEOUT (a Go duration such as 30s): how long
// the proxy holds a request. A missing or unusable value keeps the default.
func holdTimeout(getenv func(string) string) time.Duration {
	if d, err := time.ParseDuration(getenv("LONGPOLL_TIMEOUT")); err == nil && d > 0 {
		return d
	}
	return defaultHoldTimeout
}
