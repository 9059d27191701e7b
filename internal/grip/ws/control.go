package ws

import (
	"github.com/faas-grip/faas-grip-go/internal/grip/internal/jsonstr"
	"strconv"
	"time"

	"github.com/faas-grip/faas-grip-go/internal/grip/woh"
)

// The control messages below are written by hand rather than with
// encoding/json: they are on every chat request's path, and their keys are
// kept in sorted order so the bytes match what other GRIP libraries send.

// controlScratch is the stack buffer a control message is built in; longer
// ones spill to the heap.
const controlScratch = 128

// Subscribe queues a control message subscribing the connection to channel
// (with GRIP_PREFIX prepended): messages published to it reach the client.
func (c *Context) Subscribe(channel string) { c.sendChannelControl("subscribe", channel) }

// Unsubscribe queues a control message ending a subscription made with Subscribe.
func (c *Context) Unsubscribe(channel string) { c.sendChannelControl("unsubscribe", channel) }

// Detach queues a control message telling the proxy to stop sending this
// connection's events to the origin. Published messages still reach it.
func (c *Context) Detach() {
	if c.ended() {
		return
	}
	appendEvent(c, woh.Text, controlPrefix, `{"type":"detach"}`)
}

// KeepAlive queues a control message asking the proxy to send content to the
// client as a text message whenever the connection has been idle for timeout,
// which keeps intermediaries from dropping it. The content goes straight to
// the client, without the "m:" prefix. Empty content turns keep-alive off.
// timeout is rounded up to whole seconds; 0 leaves the proxy's default.
func (c *Context) KeepAlive(content string, timeout time.Duration) {
	if c.ended() {
		return
	}
	var scratch [controlScratch]byte
	msg := scratch[:0]
	if content == "" {
		msg = append(msg, `{"type":"keep-alive"}`...)
	} else {
		msg = append(msg, `{"content":`...)
		msg = appendJSONString(msg, "", content)
		if timeout > 0 {
			seconds := (timeout + time.Second - 1) / time.Second
			msg = append(msg, `,"timeout":`...)
			msg = strconv.AppendInt(msg, int64(seconds), 10)
		}
		msg = append(msg, `,"type":"keep-alive"}`...)
	}
	appendEvent(c, woh.Text, controlPrefix, msg)
}

func (c *Context) sendChannelControl(typ, channel string) {
	if c.ended() {
		return
	}
	var scratch [controlScratch]byte
	msg := append(scratch[:0], `{"channel":`...)
	msg = appendJSONString(msg, c.prefix, channel)
	msg = append(msg, `,"type":"`...)
	msg = append(msg, typ...)
	msg = append(msg, `"}`...)
	appendEvent(c, woh.Text, controlPrefix, msg)
}

// appendJSONString appends a + b as one JSON string (a prefix and a name).
func appendJSONString(dst []byte, a, b string) []byte {
	dst = append(dst, '"')
	dst = jsonstr.AppendBody(dst, a)
	dst = jsonstr.AppendBody(dst, b)
	return append(dst, '"')
}
