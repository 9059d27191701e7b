package main

import (
	"strings"
	"testing"
	"time"
)

func TestHoldTimeout(t *testing.T) {
	for v, want := range map[string]time.Duration{"": defaultHoldTimeout, "30s": 30 * time.Second, "1m": time.Minute} {
		if got, err := holdTimeout(func(string) string { return v }); err != nil || got != want {
			t.Errorf("LONGPOLL_TIMEOUT=%q: %v, %v; want %v", v, got, err, want)
		}
	}
	// A typo fails the cold start instead of silently meaning 55s.
	for _, v := range []string{"30", "-5s", "0s", "soon"} {
		if _, err := holdTimeout(func(string) string { return v }); err == nil || !strings.Contains(err.Error(), "LONGPOLL_TIMEOUT") {
			t.Errorf("LONGPOLL_TIMEOUT=%q: %v, want an error naming it", v, err)
		}
	}
}
