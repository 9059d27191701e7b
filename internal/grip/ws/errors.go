package ws

import (
	"errors"
	"strconv"
)

// ErrNotWebSocketOverHTTP matches (with errors.Is) the *RequestError that
// Parse and FromRequest return for a request that is not WebSocket-over-HTTP.
// Answer it with 400 Bad Request: it did not come from a GRIP proxy's
// over_http route, or was mangled on the way.
var ErrNotWebSocketOverHTTP = errors.New("ws: not a WebSocket-over-HTTP request")

// ErrNoMessage is returned by Recv when the request holds no further message.
// Loop on CanRecv to avoid it.
var ErrNoMessage = errors.New("ws: no message left in this request (loop while CanRecv is true)")

// ErrInvalidMeta matches (with errors.Is) the *MetaError SetMeta returns.
var ErrInvalidMeta = errors.New("ws: invalid meta")

// ErrControlNotObject is returned by SendControl when the value does not
// marshal to a JSON object: the proxy only acts on objects with a "type".
var ErrControlNotObject = errors.New("ws: control message must marshal to a JSON object")

// RequestError says why a request is not WebSocket-over-HTTP.
type RequestError struct {
	Reason string // e.g. "method is GET, want POST"
}

func (e *RequestError) Error() string {
	return "ws: not a WebSocket-over-HTTP request: " + e.Reason
}

// Is makes errors.Is(err, ErrNotWebSocketOverHTTP) true for every *RequestError.
func (e *RequestError) Is(target error) bool { return target == ErrNotWebSocketOverHTTP }

// MetaError says why SetMeta refused a name or value. It never quotes the
// value, which may be a token or other secret.
type MetaError struct {
	Name   string // the meta name as given
	Reason string // e.g. "value contains CR, LF, NUL or another control character"
}

func (e *MetaError) Error() string {
	return "ws: invalid meta " + strconv.Quote(e.Name) + ": " + e.Reason
}

// Is makes errors.Is(err, ErrInvalidMeta) true for every *MetaError.
func (e *MetaError) Is(target error) bool { return target == ErrInvalidMeta }
