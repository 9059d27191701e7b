// Package token checks RFC 9110 tokens: header names, and parameter values
// that need no quotes. grip and ws both write headers; they share this check.
package token

import "strings"

// Valid reports whether s is a non-empty RFC 9110 token.
func Valid(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !validChar(s[i]) {
			return false
		}
	}
	return true
}

func validChar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}
