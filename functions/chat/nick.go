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
	if !validName(name, maxNickLen) {
		return errBadNick
	}
	return nil
}

// validName reports whether name can stand before a message: valid UTF-8 of
// 1 to maxLen printable characters, at least one of them visible.
func validName(name string, maxLen int) bool {
	n := utf8.RuneCountInString(name)
	if n == 0 || n > maxLen || !utf8.ValidString(name) || !visible(name) {
		return false
	}
	for _, r := range name {
		if !unicode.IsPrint(r) {
			return false
		}
	}
	return true
}

// Meta values travel as HTTP header values: percent-encoding keeps non-ASCII
// nicks intact through API Gateway and the proxy.
func nickToMeta(name string) string { return url.QueryEscape(name) }

func nickFromMeta(v string) string {
	name := fromMeta(v)
	if validateNick(name) != nil {
		return defaultNick
	}
	return name
}

// fromMeta decodes a name bound with nickToMeta: "" when unset or broken.
func fromMeta(v string) string {
	name, err := url.QueryUnescape(v)
	if err != nil {
		return ""
	}
	return name
}
