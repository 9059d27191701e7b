package woh

import (
	"bytes"
	"slices"
)

// Reasons a body fails to decode, kept as constants so tests can compare them.
const (
	reasonUnknownName    = "unknown event name (want OPEN, TEXT, BINARY, PING, PONG, CLOSE or DISCONNECT)"
	reasonBadLength      = "content length is not a hex number"
	reasonLengthTooLarge = "content length is larger than the body"
	reasonPastEnd        = "content runs past the end of the body"
	reasonMissingCRLF    = "missing CRLF after the event line"
	reasonMissingEndCRLF = "missing CRLF after the content"
)

// maxPreallocEvents bounds the up-front allocation Decode makes from its
// estimate, so a body full of newlines cannot make it reserve a huge slice.
const maxPreallocEvents = 1024

// Decode parses a WebSocket-over-HTTP body into its events.
//
// Content slices alias body (nothing is copied): keep body unchanged while the
// events are in use, and copy what must outlive it. An empty body is legal and
// yields no events and no error. A malformed body yields nil and an error
// saying at which byte and why; Decode never returns part of a body.
func Decode(body []byte) ([]Event, error) {
	if len(body) == 0 {
		return nil, nil
	}
	events, err := AppendDecode(nil, body)
	if err != nil {
		return nil, err
	}
	return events, nil
}

// AppendDecode is Decode appending to dst, so a caller can reuse or pre-size
// the slice (ws keeps a small array in its Context for this). On error it
// returns dst with its original length and the error.
func AppendDecode(dst []Event, body []byte) ([]Event, error) {
	start := len(dst)
	if want := estimateEvents(body); cap(dst)-len(dst) < want {
		dst = slices.Grow(dst, want)
	}
	for off := 0; off < len(body); {
		ev, next, err := decodeEvent(body, off)
		if err != nil {
			clear(dst[start:]) // drop references into body
			return dst[:start], err
		}
		dst = append(dst, ev)
		off = next
	}
	return dst, nil
}

// estimateEvents guesses the event count from the line feeds: an event with
// content has two, one without has one. Counting bytes is far cheaper than
// growing the slice several times on a large batch.
func estimateEvents(body []byte) int {
	if len(body) == 0 {
		return 0
	}
	return min(bytes.Count(body, []byte{'\n'})/2+1, maxPreallocEvents)
}

// decodeEvent decodes the event starting at off and returns it with the
// offset of the next one.
func decodeEvent(body []byte, off int) (Event, int, error) {
	i := off
	for i < len(body) && body[i] >= 'A' && body[i] <= 'Z' {
		i++
	}
	typ, ok := eventType(body[off:i])
	if !ok || (i < len(body) && isNameByte(body[i])) {
		return Event{}, 0, &syntaxError{offset: off, reason: reasonUnknownName}
	}
	if i == len(body) || (body[i] != ' ' && body[i] != '\r') {
		return Event{}, 0, &syntaxError{offset: i, reason: reasonMissingCRLF}
	}

	if body[i] == '\r' { // no content: "NAME\r\n"
		if i+1 >= len(body) || body[i+1] != '\n' {
			return Event{}, 0, &syntaxError{offset: i, reason: reasonMissingCRLF}
		}
		return Event{Type: typ}, i + 2, nil
	}

	n, j, err := parseHexLength(body, i+1)
	if err != nil {
		return Event{}, 0, err
	}
	if j+1 >= len(body) || body[j] != '\r' || body[j+1] != '\n' {
		if j < len(body) && body[j] != '\r' {
			return Event{}, 0, &syntaxError{offset: j, reason: reasonBadLength}
		}
		return Event{}, 0, &syntaxError{offset: j, reason: reasonMissingCRLF}
	}
	start := j + 2
	if n > len(body)-start {
		return Event{}, 0, &syntaxError{offset: start, reason: reasonPastEnd}
	}
	end := start + n
	if end+1 >= len(body) || body[end] != '\r' || body[end+1] != '\n' {
		return Event{}, 0, &syntaxError{offset: end, reason: reasonMissingEndCRLF}
	}
	// The full slice expression caps the content so an append by the
	// caller cannot overwrite the CRLF and the events that follow it.
	return Event{Type: typ, Content: body[start:end:end]}, end + 2, nil
}

// parseHexLength reads the hex digits starting at off (any case) and returns
// the value and the offset after them. It stops as soon as the value exceeds
// the body, so no input can overflow it.
func parseHexLength(body []byte, off int) (n, end int, err error) {
	limit := len(body)
	j := off
	for ; j < len(body); j++ {
		d, ok := hexDigit(body[j])
		if !ok {
			break
		}
		if n > limit>>4 {
			return 0, 0, &syntaxError{offset: off, reason: reasonLengthTooLarge}
		}
		n = n<<4 | d
	}
	if j == off {
		return 0, 0, &syntaxError{offset: off, reason: reasonBadLength}
	}
	return n, j, nil
}

func hexDigit(c byte) (int, bool) {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0'), true
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10, true
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10, true
	}
	return 0, false
}

// isNameByte reports whether c could continue an event name, so "TEXTS" or
// "Text" is reported as an unknown name rather than a missing CRLF.
func isNameByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-'
}

// eventType maps a name on the wire to its constant. The switch on
// string(name) does not allocate.
func eventType(name []byte) (EventType, bool) {
	switch string(name) {
	case "TEXT":
		return Text, true
	case "BINARY":
		return Binary, true
	case "OPEN":
		return Open, true
	case "PING":
		return Ping, true
	case "PONG":
		return Pong, true
	case "CLOSE":
		return Close, true
	case "DISCONNECT":
		return Disconnect, true
	}
	return "", false
}
