package ws

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/faas-grip/faas-grip-go/internal/grip"
	"github.com/faas-grip/faas-grip-go/internal/grip/apigw"
	"github.com/faas-grip/faas-grip-go/internal/grip/internal/token"
	"github.com/faas-grip/faas-grip-go/internal/grip/woh"
)

// inlineEvents is how many events a Context holds without a second
// allocation: enough for a typical request.
const inlineEvents = 4

// openLine is reserved at the start of the output and filled in by Response
// when the connection is accepted, so OPEN goes first without a copy.
const openLine = "OPEN\r\n"

// Context is one WebSocket-over-HTTP request of a connection: the events the
// proxy delivered and the answer the handler builds. A Context is not safe
// for concurrent use; it lives for one invocation.
type Context struct {
	id     string
	header http.Header
	prefix string
	body   []byte // the request body; events and messages alias it

	events []woh.Event
	next   int // index of the next event Recv looks at

	opening         bool
	clientClosed    bool // the client sent CLOSE
	clientCloseCode int  // its code, 0 when it carried none
	clientGone      bool // the proxy sent DISCONNECT: answer nothing
	accepted        bool
	protocol        string
	closeSent       bool // the handler called Close
	disconnectSent  bool // the handler called Disconnect
	metas           []metaValue
	response        *apigw.Response // set once Response has run
	out             []byte          // nil, or the openLine placeholder then the queued events
	eventStore      [inlineEvents]woh.Event

	// The response and its header values live in the Context: one
	// allocation fewer each, on every request.
	responseStore apigw.Response
	headerValues  [4]string
}

// FromRequest checks that a request is WebSocket-over-HTTP and decodes its
// events. cfg's prefix (GRIP_PREFIX) goes before every channel name in
// Subscribe and Unsubscribe, as the publisher puts it before every
// published one.
//
// A request that is not WebSocket-over-HTTP (not POST, another
// Content-Type, no Connection-Id) or has a malformed body returns an error
// saying what is wrong: answer it with 400. Messages returned by Recv alias
// the request body: do not modify it.
func FromRequest(r *apigw.Request, cfg grip.Config) (*Context, error) {
	if r == nil {
		return nil, notWebSocketOverHTTP("no request")
	}
	return parse(r.Method, r.Header, r.Body, cfg)
}

// parse is FromRequest for a request's parts. header must have canonical
// keys, as net/http and package apigw produce.
func parse(method string, header http.Header, body []byte, cfg grip.Config) (*Context, error) {
	if method != http.MethodPost {
		return nil, notWebSocketOverHTTP("method is " + quoteShort(method) + ", want POST")
	}
	if ct := firstValue(header, "Content-Type"); !isWebSocketEvents(ct) {
		return nil, notWebSocketOverHTTP("Content-Type is " + quoteShort(ct) + ", want " + woh.ContentType)
	}
	id := firstValue(header, "Connection-Id")
	if id == "" {
		return nil, notWebSocketOverHTTP("no Connection-Id header")
	}

	c := &Context{id: id, header: header, prefix: cfg.Prefix, body: body}
	events, err := woh.AppendDecode(c.eventStore[:0], body)
	if err != nil {
		return nil, fmt.Errorf("ws: request body: %w", err)
	}
	c.events = events
	c.opening = len(events) > 0 && events[0].Type == woh.Open
	for _, e := range events {
		switch e.Type {
		case woh.Close:
			if !c.clientClosed {
				c.clientClosed = true
				c.clientCloseCode, _ = woh.ParseClose(e.Content)
			}
		case woh.Disconnect:
			c.clientGone = true
		}
	}
	return c, nil
}

// firstValue is header.Get for a key already in canonical form, without
// canonicalizing it again on every request.
func firstValue(header http.Header, key string) string {
	if v := header[key]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// isWebSocketEvents reports whether a Content-Type names the WoH media type,
// ignoring parameters and case, without mime.ParseMediaType's allocations.
func isWebSocketEvents(contentType string) bool {
	if i := strings.IndexByte(contentType, ';'); i >= 0 {
		contentType = contentType[:i]
	}
	return strings.EqualFold(strings.TrimSpace(contentType), woh.ContentType)
}

// quoteShort quotes a request value for an error message, cut to a length
// that keeps logs readable whatever the client sent.
func quoteShort(s string) string {
	const maxLen = 64
	if len(s) > maxLen {
		s = s[:maxLen] + "..."
	}
	return strconv.Quote(s)
}

// ID returns the connection's id (the Connection-Id header), stable for the
// life of the WebSocket connection.
func (c *Context) ID() string { return c.id }

// IsOpening reports whether this request opens the connection (its first
// event is OPEN). Call Accept on it, or the proxy rejects the client.
func (c *Context) IsOpening() bool { return c.opening }

// IsClosing reports whether this request ends the connection on the
// client's side: it carries the client's CLOSE, or the proxy's DISCONNECT
// (the client went away), wherever among its events. Counting these counts
// the connections that ended.
func (c *Context) IsClosing() bool { return c.clientClosed || c.clientGone }

// Accept accepts an opening connection: the response starts with OPEN and
// turns on GRIP mode (Sec-WebSocket-Extensions: grip). It has no effect on a
// request that is not opening, where the connection is already established.
func (c *Context) Accept() {
	if c.opening {
		c.accepted = true
	}
}

// AcceptProtocol is Accept choosing the subprotocol p (one the client offered
// in Sec-WebSocket-Protocol), sent back in the handshake. A p that is not a
// valid token is not sent, since it could not be a protocol the client offered.
func (c *Context) AcceptProtocol(p string) {
	c.Accept()
	if c.accepted && token.Valid(p) {
		c.protocol = p
	}
}
