package main

import (
	"fmt"
	"time"
)

// defaultHoldTimeout is GRIP's own default for Grip-Timeout.
const defaultHoldTimeout = 55 * time.Second

// holdTimeout reads LONGPOLL_TIMEOUT (a Go duration such as 30s): how long
// the proxy holds a request; unset, GRIP's default. A value that does not
// parse fails the cold start: "30" without a unit must not silently mean 55s.
func holdTimeout(getenv func(string) string) (time.Duration, error) {
	v := getenv("LONGPOLL_TIMEOUT")
	if v == "" {
		return defaultHoldTimeout, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("LONGPOLL_TIMEOUT=%q: want a positive Go duration such as 30s", v)
	}
	return d, nil
}
