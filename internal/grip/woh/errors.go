package woh

import (
	"errors"
	"strconv"
)

// ErrMalformed matches (with errors.Is) every error Decode returns: the body
// is not valid WebSocket-over-HTTP. Answer such a request with 400 Bad Request;
// sending the same body again will fail the same way.
var ErrMalformed = errors.New("woh: malformed WebSocket-over-HTTP body")

// SyntaxError says where and why a body failed to decode. It never quotes the
// body itself, which may carry user data.
type SyntaxError struct {
	Offset int    // byte offset in the body where the problem was found
	Reason string // what is wrong there, e.g. "content runs past the end of the body"
}

func (e *SyntaxError) Error() string {
	return "woh: malformed body at byte " + strconv.Itoa(e.Offset) + ": " + e.Reason
}

// Is makes errors.Is(err, ErrMalformed) true for every *SyntaxError.
func (e *SyntaxError) Is(target error) bool { return target == ErrMalformed }
