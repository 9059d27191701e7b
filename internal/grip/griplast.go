package grip

import (
	"net/http"
	"strings"
)

// ParseGripLast reads the Grip-Last request headers a proxy sends when it
// re-requests a held long-poll ("Grip-Last: <channel>; last-id=<id>", one
// per channel, in one or several header lines). It returns the last ID per
// channel, so a handler can answer with what came after it; nil when there
// is none. Channel names are as the proxy knows them: with GRIP_PREFIX
// (look them up with Config.Channel). Malformed entries are skipped.
func ParseGripLast(header http.Header) map[string]string {
	var last map[string]string
	for _, line := range header.Values("Grip-Last") {
		for _, entry := range splitUnquoted(line, ',') {
			channel, params := parseParams(entry)
			id, ok := params["last-id"]
			if channel == "" || !ok {
				continue
			}
			if last == nil {
				last = make(map[string]string)
			}
			last[channel] = id
		}
	}
	return last
}

// splitUnquoted cuts s at every sep outside a quoted-string. A quote left
// open runs to the end.
func splitUnquoted(s string, sep byte) []string {
	var parts []string
	inQuote, start := false, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case inQuote && c == '\\':
			i++ // the next byte is escaped
		case c == '"':
			inQuote = !inQuote
		case !inQuote && c == sep:
			parts = append(parts, s[start:i])
			start = i + 1
		}
	}
	return append(parts, s[start:])
}

// parseParams reads "first; name=value; name="quoted value"", returning the
// first element and the parameters by lower-case name (the first of each).
func parseParams(s string) (first string, params map[string]string) {
	parts := splitUnquoted(s, ';')
	first = strings.TrimSpace(parts[0])
	params = make(map[string]string, len(parts)-1)
	for _, p := range parts[1:] {
		name, value, _ := strings.Cut(p, "=")
		name = strings.ToLower(strings.TrimSpace(name))
		if name == "" {
			continue
		}
		if _, seen := params[name]; !seen {
			params[name] = unquote(strings.TrimSpace(value))
		}
	}
	return first, params
}

// unquote undoes quoteParam; a bare value is returned as is.
func unquote(v string) string {
	if len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' {
		return v
	}
	v = v[1 : len(v)-1]
	if !strings.Contains(v, `\`) {
		return v
	}
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		if v[i] == '\\' && i+1 < len(v) {
			i++
		}
		b.WriteByte(v[i])
	}
	return b.String()
}
