package ws

import (
	"net/http"

	"github.com/faas-grip/faas-grip-go/internal/grip/apigw"
	"github.com/faas-grip/faas-grip-go/internal/grip/woh"
)

// Response builds the answer to the proxy: status 200, Content-Type exactly
// application/websocket-events, and a body with OPEN first when the
// connection was accepted, then the queued events in order.
//
// Before building it answers what the handler left unanswered: PINGs it did
// not read, and a client CLOSE when the handler did not call Close (echoing
// the client's code, 1000 when there was none). After a client DISCONNECT the
// body is empty. The accepting response also carries
// Sec-WebSocket-Extensions: grip and the chosen Sec-WebSocket-Protocol, and
// any response carries Set-Meta-<name> for each meta the handler changed.
//
// Call Response once the handler is done: later sends are ignored, and
// calling it again returns the same response.
func (c *Context) Response() *apigw.Response {
	if c.response != nil {
		return c.response
	}
	count := 1
	if !c.clientGone {
		c.answerPending()
		count += c.changedMetas()
		if c.accepted {
			count += 2
		}
	}
	// One backing array for all header values instead of one per header.
	values := c.headerValues[:0]
	if count > len(c.headerValues) {
		values = make([]string, 0, count)
	}
	header := make(http.Header, count)
	set := func(key, value string) {
		values = append(values, value)
		header[key] = values[len(values)-1 : len(values) : len(values)]
	}
	set("Content-Type", woh.ContentType)
	c.response = &c.responseStore
	c.response.Status = http.StatusOK
	c.response.Header = header
	if c.clientGone {
		return c.response // the connection is gone: nothing to send
	}

	var body []byte
	switch {
	case c.accepted && c.out == nil:
		body = []byte(openLine)
	case c.accepted:
		copy(c.out, openLine)
		body = c.out
	case c.out != nil:
		body = c.out[len(openLine):]
	}
	if c.accepted {
		set("Sec-Websocket-Extensions", "grip")
		if c.protocol != "" {
			set("Sec-Websocket-Protocol", c.protocol)
		}
	}
	for _, m := range c.metas {
		if m.value != c.requestMeta(m.name) {
			set(http.CanonicalHeaderKey("Set-Meta-"+m.name), m.value)
		}
	}

	// Capped so an append to Body cannot write into the Context's buffer.
	c.response.Body = body[:len(body):len(body)]
	return c.response
}

// answerPending queues the answers the protocol requires that the handler
// did not send itself.
func (c *Context) answerPending() {
	for i := c.next; i < len(c.events); i++ {
		if c.events[i].Type == woh.Ping {
			c.queuePong(c.events[i].Content)
		}
	}
	c.next = len(c.events)
	if c.clientClosed && !c.ended() {
		c.closeSent = true
		c.appendClose(sendableCloseCode(c.clientCloseCode), "")
	}
}

// changedMetas counts the metas whose value differs from the bound one.
func (c *Context) changedMetas() int {
	n := 0
	for _, m := range c.metas {
		if m.value != c.requestMeta(m.name) {
			n++
		}
	}
	return n
}
