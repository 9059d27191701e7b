package grip

import (
	"fmt"
	"log/slog"
	"strings"
)

// Config is every GRIP proxy to publish to, and the channel prefix shared by
// subscribe, Grip-Channel and publish.
type Config struct {
	Endpoints []Endpoint
	Prefix    string
}

// Channel returns the name the proxies know a channel by: the prefix and the
// name. Use it for every channel that leaves the process (WebSocket
// subscribe messages); Publish and Hold.Apply apply it themselves.
func (c Config) Channel(name string) string { return c.Prefix + name }

// CheckChannel checks a channel name as the proxies will see it: with the
// prefix, which counts towards the length limit. Use it for every name a
// user or a setting chooses; ValidChannel alone misses the prefix's bytes.
func (c Config) CheckChannel(name string) error { return checkChannel(c.Prefix, name) }

// LogValue makes slog print the endpoints redacted.
func (c Config) LogValue() slog.Value {
	names := make([]string, len(c.Endpoints))
	for i, ep := range c.Endpoints {
		names[i] = ep.String()
	}
	return slog.GroupValue(slog.Any("endpoints", names), slog.String("prefix", c.Prefix))
}

// ParseConfig reads a GRIP_URL value holding any number of endpoints, and
// a channel prefix. Endpoints are separated by commas, spaces or newlines:
//
//	GRIP_URL="http://localhost:5561, https://api.fastly.com/service/SID?key=TOKEN"
//
// A separator counts only where the next endpoint starts with http:// or
// https://, so a comma or space inside one (an unencoded JWK verify-key,
// say) stays part of it. An empty value gives a Config without endpoints:
// handlers that only hold connections work, and Publish returns an error
// saying GRIP_URL is not set.
//
// The prefix, trimmed of surrounding space, must itself be valid in a
// channel name (see ValidChannel).
func ParseConfig(gripURLs, prefix string) (Config, error) {
	prefix = strings.TrimSpace(prefix)
	cfg := Config{Prefix: prefix}
	if prefix != "" {
		if err := ValidChannel(prefix); err != nil {
			return Config{}, fmt.Errorf("grip: GRIP_PREFIX: %w", err)
		}
	}
	entries := splitURLs(gripURLs)
	for i, raw := range entries {
		ep, err := parseURL(raw)
		if err != nil {
			if urlErr, ok := err.(*urlError); ok && len(entries) > 1 {
				urlErr.problem = fmt.Sprintf("endpoint %d of %d: %s", i+1, len(entries), urlErr.problem)
			}
			return Config{}, err
		}
		cfg.Endpoints = append(cfg.Endpoints, ep)
	}
	return cfg, nil
}

// splitURLs cuts a list of URLs at runs of commas and whitespace that are
// followed by a new http:// or https:// URL (or the end).
func splitURLs(s string) []string {
	var entries []string
	add := func(entry string) {
		if entry = strings.Trim(entry, ", \t\r\n"); entry != "" {
			entries = append(entries, entry)
		}
	}
	start := 0
	for i := 0; i < len(s); {
		if !isURLSeparator(s[i]) {
			i++
			continue
		}
		end := i
		for end < len(s) && isURLSeparator(s[end]) {
			end++
		}
		if end == len(s) || startsWithScheme(s[end:]) {
			add(s[start:i])
			start = end
		}
		i = end
	}
	add(s[start:])
	return entries
}

func isURLSeparator(c byte) bool {
	return c == ',' || c == ' ' || c == '\t' || c == '\r' || c == '\n'
}

func startsWithScheme(s string) bool {
	for _, scheme := range []string{"http://", "https://"} {
		if len(s) >= len(scheme) && strings.EqualFold(s[:len(scheme)], scheme) {
			return true
		}
	}
	return false
}
