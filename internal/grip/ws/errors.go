package ws

import (
	"errors"
	"fmt"
	"strconv"
)

// The errors of this package start with one of these. A caller need not
// tell them apart: a request FromRequest refuses gets 400 Bad Request, a
// meta SetMeta refuses is not set, and Recv fails only past the last
// message (loop on CanRecv).
var (
	errNotWebSocketOverHTTP = errors.New("ws: not a WebSocket-over-HTTP request")
	errNoMessage            = errors.New("ws: no message left in this request (loop while CanRecv is true)")
	errInvalidMeta          = errors.New("ws: invalid meta")
	errControlNotObject     = errors.New("ws: control message must marshal to a JSON object")
)

// notWebSocketOverHTTP says why a request is not WebSocket-over-HTTP.
func notWebSocketOverHTTP(reason string) error {
	return fmt.Errorf("%w: %s", errNotWebSocketOverHTTP, reason)
}

// invalidMeta says why SetMeta refused a name or value. It never quotes
// the value, which may be a token or other secret.
func invalidMeta(name, reason string) error {
	return fmt.Errorf("%w %s: %s", errInvalidMeta, strconv.Quote(name), reason)
}
