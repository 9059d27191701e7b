package main

import (
	"errors"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"
)

const (
	defaultNick = "anonymous"
	maxNickLen  = 32 // characters, not bytes
	// nickMeta is the connection meta the proxy keeps for us between requests.
	nickMeta = "nick"
)

var errBadNick = errors.New("a nick is 1 to 32 printable characters, e.g. /nick alice")

// parseNickCommand recognizes "/nick <name>" (and a bare "/nick").
func parseNickCommand(text string) (name string, ok bool) {
	if text == "/nick" {
		return "", true
	}
	name, ok = strings.CutPrefix(text, "/nick ")
	return strings.TrimSpace(name), ok
}

func validateNick(name string) error {
	n := utf8.RuneCountInString(name)
	if n == 0 || n > maxNickLen || !utf8.ValidString(name) {
		return errBadNick
	}
	for _, r := range name {
		if !unicode.IsPrint(r) {
			return errBadNick
		}
	}
	return nil
}

// Meta values travel as HTTP header values: percent-encoding keeps non-ASCII
// nicks intact through API Gateway and the proxy.
func nickToMeta(name string) string { return url.QueryEscape(name) }

func nickFromMeta(v string) string {
	if v == "" {
		return defaultNick
	}
	name, err := url.QueryUnescape(v)
	if err != nil || validateNick(name) != nil {
		return defaultNick
	}
	return name
}
