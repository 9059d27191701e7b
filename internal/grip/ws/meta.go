package ws

import (
	"strings"

	"github.com/faas-grip/faas-grip-go/internal/grip/internal/token"
)

// metaValue is a meta value the handler set. A slice of these is cheaper than
// a map for the one or two a handler sets.
type metaValue struct {
	name, value string
}

// metaHeaderPrefix starts the request headers the proxy sends bound metas in.
const metaHeaderPrefix = "Meta-"

// Meta returns the value of the connection's meta name, as bound by an
// earlier response (the request's Meta-<name> header) or set by SetMeta
// during this request. Names are case-insensitive; "" means unset.
func (c *Context) Meta(name string) string {
	for _, m := range c.metas {
		if strings.EqualFold(m.name, name) {
			return m.value
		}
	}
	return c.requestMeta(name)
}

// requestMeta returns the request's Meta-<name> header. It builds the
// canonical key on the stack: concatenating and canonicalizing with net/http
// would allocate on every lookup.
func (c *Context) requestMeta(name string) string {
	if !token.Valid(name) {
		return ""
	}
	var scratch [64]byte
	key := append(scratch[:0], metaHeaderPrefix...)
	key = append(key, name...)
	upper := true
	for i := len(metaHeaderPrefix); i < len(key); i++ {
		ch := key[i]
		switch {
		case upper && 'a' <= ch && ch <= 'z':
			key[i] = ch - ('a' - 'A')
		case !upper && 'A' <= ch && ch <= 'Z':
			key[i] = ch + ('a' - 'A')
		}
		upper = ch == '-'
	}
	if v := c.header[string(key)]; len(v) > 0 { // no allocation: the compiler looks up without converting
		return v[0]
	}
	return ""
}

// SetMeta binds meta name to value for the rest of the connection: the proxy
// sends it back as Meta-<name> on later requests. An empty value unbinds it.
// Only changes reach the response (as Set-Meta-<name>).
//
// name must be an HTTP header token and value a header value without control
// characters (no CR, LF or NUL that could split the header); otherwise SetMeta
// returns an error saying which and changes nothing.
func (c *Context) SetMeta(name, value string) error {
	if !token.Valid(name) {
		return invalidMeta(name, "name must be a non-empty HTTP token (letters, digits, and !#$%&'*+-.^_`|~)")
	}
	if !isHeaderValue(value) {
		return invalidMeta(name, "value contains CR, LF, NUL or another control character")
	}
	for i := range c.metas {
		if strings.EqualFold(c.metas[i].name, name) {
			c.metas[i].value = value
			return nil
		}
	}
	c.metas = append(c.metas, metaValue{name: name, value: value})
	return nil
}

// isHeaderValue reports whether s may be sent as an HTTP header value: no
// control characters other than horizontal tab (RFC 9110 field-value).
func isHeaderValue(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < 0x20 && c != '\t') || c == 0x7f {
			return false
		}
	}
	return true
}
