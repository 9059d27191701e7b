package woh

import "encoding/binary"

// NormalClosure is the close code for a normal close (RFC 6455 section 7.4.1).
// It is also what a CLOSE without a usable code should be answered with.
const NormalClosure = 1000

// AppendCloseContent appends the content of a CLOSE event to dst: the code
// as two big-endian bytes, then the reason. Code 0 is invalid on the wire,
// so a code outside 1..65535 is written as NormalClosure.
func AppendCloseContent(dst []byte, code int, reason string) []byte {
	if code <= 0 || code > 0xffff {
		code = NormalClosure
	}
	dst = binary.BigEndian.AppendUint16(dst, uint16(code))
	return append(dst, reason...)
}

// ParseClose reads the content of a CLOSE event. The code is read whenever
// there are at least two bytes, with or without a reason. Content shorter than
// that carries no status (what RFC 6455 calls 1005): ParseClose then reports
// code 0 and an empty reason, and the caller picks its default.
func ParseClose(content []byte) (code int, reason string) {
	if len(content) < 2 {
		return 0, ""
	}
	return int(binary.BigEndian.Uint16(content)), string(content[2:])
}
