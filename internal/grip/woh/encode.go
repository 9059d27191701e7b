package woh

import "strconv"

// Encode returns the wire form of events. A nil Content is written as a
// bare "NAME\r\n"; a non-nil empty one as "NAME 0\r\n\r\n". Lengths are
// lower-case hex byte counts.
//
// Encode writes Type as it is: use the EventType constants.
func Encode(events ...Event) []byte {
	return appendEvents(nil, events...)
}

// appendEvents is Encode appending to dst.
func appendEvents(dst []byte, events ...Event) []byte {
	size := 0
	for _, e := range events {
		size += len(e.Type) + 2
		if e.Content != nil {
			size += 1 + hexLen(len(e.Content)) + len(e.Content) + 2
		}
	}
	if cap(dst)-len(dst) < size {
		grown := make([]byte, len(dst), len(dst)+size)
		copy(grown, dst)
		dst = grown
	}
	for _, e := range events {
		if e.Content == nil {
			dst = append(dst, e.Type...)
			dst = append(dst, '\r', '\n')
			continue
		}
		dst = AppendStart(dst, e.Type, len(e.Content))
		dst = append(dst, e.Content...)
		dst = AppendEnd(dst)
	}
	return dst
}

// AppendStart appends the line that opens an event carrying n bytes of
// content ("TEXT 1f\r\n"). The caller then appends exactly n bytes of content
// and calls AppendEnd. This lets a caller write content from several pieces,
// or from a string, straight into its output without building it first.
// A negative n is treated as 0.
func AppendStart(dst []byte, t EventType, n int) []byte {
	dst = append(dst, t...)
	dst = append(dst, ' ')
	dst = strconv.AppendUint(dst, uint64(max(n, 0)), 16)
	return append(dst, '\r', '\n')
}

// AppendEnd appends the CRLF that ends an event's content.
func AppendEnd(dst []byte) []byte {
	return append(dst, '\r', '\n')
}

// hexLen is the number of hex digits of n (n >= 0).
func hexLen(n int) int {
	digits := 1
	for n >= 16 {
		n >>= 4
		digits++
	}
	return digits
}
