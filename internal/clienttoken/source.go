package clienttoken

import (
	"net/http"
	"net/url"
	"strings"
)

// queryParam is where RFC 6750 §2.3 puts a token that cannot travel in a
// header: browsers' WebSocket and EventSource cannot set Authorization.
const queryParam = "access_token"

// tokenFrom finds the request's bearer token: the Authorization header or
// the access_token query parameter. It returns "" and nil when there is
// none, and an invalid_request refusal (400) when there are two or one is
// malformed: RFC 6750 §2 forbids more than one method in a request, and
// guessing which token was meant could let one bypass the other's checks.
func tokenFrom(h http.Header, q url.Values) (string, *Refusal) {
	var found []string
	for _, v := range h.Values("Authorization") {
		scheme, rest, _ := strings.Cut(v, " ")
		if !strings.EqualFold(scheme, "Bearer") {
			continue // another scheme (Basic...) is not ours to judge
		}
		t := strings.TrimLeft(rest, " ")
		if !isB64Token(t) {
			return "", invalidRequest("malformed Authorization: Bearer header")
		}
		found = append(found, t)
	}
	if vs, ok := q[queryParam]; ok {
		if len(vs) != 1 || !isB64Token(vs[0]) {
			return "", invalidRequest("malformed or repeated access_token query parameter")
		}
		found = append(found, vs[0])
	}
	switch len(found) {
	case 0:
		return "", nil
	case 1:
		return found[0], nil
	}
	return "", invalidRequest("more than one token in the request")
}

// isB64Token reports whether t is RFC 6750's b64token: 1*( ALPHA / DIGIT /
// "-" / "." / "_" / "~" / "+" / "/" ) *"=". Every JWT is one.
func isB64Token(t string) bool {
	body := strings.TrimRight(t, "=")
	if body == "" {
		return false
	}
	for i := 0; i < len(body); i++ {
		c := body[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case c == '-', c == '.', c == '_', c == '~', c == '+', c == '/':
		default:
			return false
		}
	}
	return true
}
