// Package woh encodes and decodes WebSocket-over-HTTP bodies, the format a
// GRIP proxy (Pushpin, Fastly Fanout) uses to carry a WebSocket connection's
// events to an HTTP origin and back.
//
// # The wire format
//
// A body is zero or more events, each one line with the event name and, when
// the event has content, a space and the content length in hex, followed by
// the content and another CRLF:
//
//	OPEN\r\n
//	TEXT 5\r\nhello\r\n
//	CLOSE 2\r\n\x03\xe8\r\n          (close code 1000)
//
// The names are OPEN, TEXT, BINARY, PING, PONG, CLOSE and DISCONNECT.
// Lengths count bytes, not characters. Decode accepts hex in either case,
// Encode writes lower case. An empty body is legal and holds no events.
//
// Content and no content are different things: "TEXT 0\r\n\r\n" is an empty
// message and decodes to a non-nil empty Content, while "TEXT\r\n" has no
// content and decodes to a nil Content. Encode keeps the distinction. An event
// that normally has no content (such as "OPEN 0\r\n\r\n") may still carry
// some; Decode accepts it.
//
// # Errors
//
// Decode never panics and never returns part of a body: malformed input
// (bad hex, a length past the end, a missing CRLF, an unknown name) returns an
// error naming the byte offset and the problem, never the body's content. A
// handler answers it with 400 Bad Request.
//
// # Performance
//
// Decoded content aliases the request body instead of copying it, and
// AppendDecode, AppendStart and AppendCloseContent let a caller reuse its
// buffers. Most
// handlers use package ws, built on these functions, rather than this package
// directly.
package woh
