package woh

import "strconv"

// syntaxError says where and why a body failed to decode. It never quotes
// the body itself, which may carry user data.
type syntaxError struct {
	offset int    // byte offset in the body where the problem was found
	reason string // what is wrong there, e.g. "content runs past the end of the body"
}

func (e *syntaxError) Error() string {
	return "woh: malformed body at byte " + strconv.Itoa(e.offset) + ": " + e.reason
}
