package ws

import (
	"encoding/json"
	"fmt"
	"unicode/utf8"

	"github.com/faas-grip/faas-grip-go/internal/grip/woh"
)

// The prefixes GRIP mode puts on outgoing messages. Responses accept with a
// bare "grip" extension, so the proxy forwards only messages that start with
// messagePrefix and executes those that start with controlPrefix. Prefixing
// every user message means no user text can ever be taken for a control
// message (with message-prefix="" a message starting with "c:" would be).
const (
	messagePrefix = "m:"
	controlPrefix = "c:"
)

// maxCloseReason is the longest reason that fits a close frame: control frames
// carry at most 125 bytes, two of which are the code.
const maxCloseReason = 123

// eventOverhead bounds the bytes around an event's content: the longest
// name, a space, up to 16 hex digits and two CRLFs.
const eventOverhead = len("DISCONNECT") + 1 + 16 + 4

// initialSlack is extra room in a new output buffer for a few short
// control messages and PONGs.
const initialSlack = 64

// Send queues a text message to the client. Like every send, it does nothing
// once the handler called Close or Disconnect, the client disconnected, or
// the Response was built.
func (c *Context) Send(text string) {
	if c.ended() {
		return
	}
	appendEvent(c, woh.Text, messagePrefix, text)
}

// SendBinary queues a binary message to the client. data is copied.
func (c *Context) SendBinary(data []byte) {
	if c.ended() {
		return
	}
	appendEvent(c, woh.Binary, messagePrefix, data)
}

// SendControl queues a GRIP control message: msg is marshaled with
// encoding/json and must be an object with a "type" the proxy knows (see
// Subscribe, Detach and KeepAlive for the common ones). It is sent as it is:
// GRIP_PREFIX is not applied to channel names in it. It returns an error
// when msg does not marshal to a JSON object; after Close or Disconnect it
// returns nil and sends nothing, like Send.
func (c *Context) SendControl(msg any) error {
	data, err := json.Marshal(msg)
	if err != nil {
		return fmt.Errorf("ws: control message: %w", err)
	}
	if len(data) == 0 || data[0] != '{' {
		return errControlNotObject
	}
	if !c.ended() {
		appendEvent(c, woh.Text, controlPrefix, data)
	}
	return nil
}

// Close queues a CLOSE with code and reason; nothing is sent after it. Code 0
// and codes RFC 6455 forbids on the wire (such as 1005 and 1006) become 1000,
// and a reason longer than a close frame allows is cut at a character
// boundary. Calling Close also answers a CLOSE the client sent.
func (c *Context) Close(code int, reason string) {
	if c.ended() {
		return
	}
	c.closeSent = true
	c.appendClose(sendableCloseCode(code), reason)
}

// Disconnect queues a DISCONNECT: the proxy drops the client without a close
// handshake. Nothing is sent after it.
func (c *Context) Disconnect() {
	if c.ended() {
		return
	}
	c.disconnectSent = true
	c.grow(0)
	c.out = append(c.out, woh.Disconnect...)
	c.out = append(c.out, '\r', '\n')
}

// ended reports whether nothing more may be sent: the handler closed or
// disconnected, the client is gone, or the response is built.
func (c *Context) ended() bool {
	return c.closeSent || c.disconnectSent || c.clientGone || c.response != nil
}

func (c *Context) queuePong(content []byte) {
	if c.ended() {
		return
	}
	if content == nil {
		c.grow(0)
		c.out = append(c.out, woh.Pong...)
		c.out = append(c.out, '\r', '\n')
		return
	}
	appendEvent(c, woh.Pong, "", content)
}

func (c *Context) appendClose(code int, reason string) {
	reason = truncateUTF8(reason, maxCloseReason)
	c.grow(2 + len(reason))
	c.out = woh.AppendStart(c.out, woh.Close, 2+len(reason))
	c.out = woh.AppendCloseContent(c.out, code, reason)
	c.out = woh.AppendEnd(c.out)
}

// appendEvent writes one event whose content is prefix followed by content
// straight into the output, for strings and byte slices alike.
func appendEvent[T string | []byte](c *Context, t woh.EventType, prefix string, content T) {
	n := len(prefix) + len(content)
	c.grow(n)
	c.out = woh.AppendStart(c.out, t, n)
	c.out = append(c.out, prefix...)
	c.out = append(c.out, content...)
	c.out = woh.AppendEnd(c.out)
}

// grow makes room for one more event with n bytes of content. The first call
// sizes the buffer for the OPEN placeholder, this event and about as much
// again as the request body, since handlers often answer in proportion to
// what they read; later growth doubles.
func (c *Context) grow(n int) {
	need := n + eventOverhead
	if c.out == nil {
		c.out = make([]byte, len(openLine), len(openLine)+need+len(c.body)+initialSlack)
		return
	}
	if cap(c.out)-len(c.out) >= need {
		return
	}
	grown := make([]byte, len(c.out), 2*cap(c.out)+need)
	copy(grown, c.out)
	c.out = grown
}

// sendableCloseCode maps a code to one RFC 6455 (section 7.4) allows in a
// close frame, using 1000 for 0 and the reserved or out-of-range codes.
func sendableCloseCode(code int) int {
	switch {
	case code >= 1000 && code <= 1003,
		code >= 1007 && code <= 1014,
		code >= 3000 && code <= 4999:
		return code
	}
	return woh.NormalClosure
}

// truncateUTF8 cuts s to at most n bytes without splitting a character.
func truncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
