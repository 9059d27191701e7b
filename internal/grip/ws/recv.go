package ws

import "github.com/faas-grip/faas-grip-go/internal/grip/woh"

// MessageType says what a Message is. Handlers switch on it.
type MessageType int

// The kinds of message Recv returns. The zero MessageType is none of them.
const (
	TextMessage       MessageType = iota + 1 // Data is the text
	BinaryMessage                            // Data is the bytes
	CloseMessage                             // the client closes: Code and Reason; Response answers it unless the handler calls Close
	DisconnectMessage                        // the connection is gone: clean up, nothing will be sent
)

// Message is one message from the client.
//
// Data aliases the request body: copy it to keep it past the invocation or
// before changing it. For a CloseMessage, Code is the close code (0 when the
// client sent none, which RFC 6455 reports as 1005 "no status") and Reason
// the close reason; Data holds the raw CLOSE content.
type Message struct {
	Type   MessageType
	Data   []byte
	Code   int
	Reason string
}

// CanRecv reports whether Recv has a message to return. It answers any PING
// it passes on the way, like Recv.
func (c *Context) CanRecv() bool {
	c.skipControlEvents()
	return c.next < len(c.events)
}

// Recv returns the next message: text, binary, a close or a disconnect. It
// answers PINGs itself (a PONG echoing the PING's content) and skips PONG
// and OPEN. With nothing left it returns an error: loop on CanRecv.
func (c *Context) Recv() (Message, error) {
	c.skipControlEvents()
	if c.next >= len(c.events) {
		return Message{}, errNoMessage
	}
	e := c.events[c.next]
	c.next++
	switch e.Type {
	case woh.Text:
		return Message{Type: TextMessage, Data: e.Content}, nil
	case woh.Binary:
		return Message{Type: BinaryMessage, Data: e.Content}, nil
	case woh.Close:
		code, reason := woh.ParseClose(e.Content)
		return Message{Type: CloseMessage, Data: e.Content, Code: code, Reason: reason}, nil
	default: // woh.Disconnect: skipControlEvents stops only at the four message events
		return Message{Type: DisconnectMessage}, nil
	}
}

// skipControlEvents moves past the events a handler never sees, answering
// PINGs as it goes so the PONG keeps its place among the handler's sends.
func (c *Context) skipControlEvents() {
	for c.next < len(c.events) {
		e := c.events[c.next]
		switch e.Type {
		case woh.Ping:
			c.queuePong(e.Content)
		case woh.Pong, woh.Open:
		default:
			return
		}
		c.next++
	}
}
