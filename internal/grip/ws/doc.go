// Package ws is the WebSocket side of a GRIP origin: it reads one
// WebSocket-over-HTTP request from the proxy (Pushpin, Fastly Fanout) and
// builds the response, so a Lambda function can serve WebSocket clients
// without holding a connection.
//
// # How a connection works
//
// The proxy keeps the client's WebSocket open and calls the origin with a
// short HTTP request whenever something happens: the client connects (OPEN),
// sends messages (TEXT, BINARY), pings, closes (CLOSE) or goes away
// (DISCONNECT). The handler answers in the response body: OPEN to accept,
// messages to send, control messages to subscribe the connection to channels.
// Messages later published to a channel reach every subscribed client
// through the proxy, with no origin call at all.
//
// # A handler
//
//	c, err := ws.FromRequest(req, cfg) // cfg: the grip.Config loaded at cold start
//	if err != nil {
//		return badRequest(err) // not WebSocket-over-HTTP, or a malformed body
//	}
//	if c.IsOpening() {
//		c.Accept()
//		c.Subscribe("room")
//	}
//	for c.CanRecv() {
//		msg, _ := c.Recv()
//		switch msg.Type {
//		case ws.TextMessage:
//			publish("room", msg.Data)
//		case ws.CloseMessage:
//			// answered automatically; call c.Close to choose the code
//		case ws.DisconnectMessage:
//			cleanUp(c.ID())
//		}
//	}
//	return c.Response(), nil
//
// CLOSE and DISCONNECT are messages to switch on, not errors. PINGs are
// answered with a PONG echoing their content, and a client CLOSE the handler
// does not answer with Close is answered by Response with the client's code
// (1000 when it sent none). After a DISCONNECT nothing is sent.
//
// # Message prefixes
//
// Accept turns on GRIP mode with a bare "Sec-WebSocket-Extensions: grip".
// In that mode the proxy forwards a TEXT or BINARY event to the client only
// when it starts with "m:" (stripped on the way) and executes it as a
// control message when it starts with "c:". This package always writes
// those prefixes: Send and SendBinary add "m:", SendControl and its helpers
// add "c:". The alternative, message-prefix="", would send user messages
// unprefixed, but then a message that happens to start with "c:" would be
// executed as a control message. Code that writes raw events must follow the
// same rule.
//
// # Meta
//
// Meta values are small strings the proxy stores per connection and sends
// back as Meta-<name> headers on every later request: a user name chosen at
// connect time, for instance. SetMeta changes one; Response sends only the
// values that changed. Values must be valid header values (no CR, LF, NUL).
//
// # Trust
//
// Connection-Id and Meta-* are headers: anyone who can reach the origin's
// URL directly can forge them. A deployed origin verifies the request's
// Grip-Sig before FromRequest (package edge does, for every function).
//
// # Performance
//
// A Context decodes the body in place (messages alias it), keeps small event
// lists and the response in storage allocated with the Context itself, and
// writes control messages without encoding/json: a one-message chat request
// (parse, read, reply, response) costs a few small allocations and well
// under a microsecond. BenchmarkChatHandle1 and BenchmarkChatHandle100
// measure it.
package ws
