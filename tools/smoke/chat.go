package smoke

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/coder/websocket"
)

// chatFrame is what the chat sends: {"type":"message","from":..,"text":..}
// or {"type":"notice","code":..,"text":..}.
type chatFrame struct {
	Type, Code, From, Text string
}

// chatConn is one WebSocket client of the chat, through the proxy.
type chatConn struct {
	name   string
	conn   *websocket.Conn
	frames chan chatFrame
	done   chan error // the reader's end
}

// chat connects two clients through the proxy; once the second hears its
// own message (its subscription is active), the first sends one, which the
// second must receive.
func (c *checker) chat(ctx context.Context) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, c.Wait+20*time.Second)
	defer cancel()
	u, err := c.proxyURL("ChatUrl", nil)
	if err != nil {
		return "", err
	}
	u = "ws" + strings.TrimPrefix(u, "http")
	alice, err := c.dialChat(ctx, u, "alice")
	if err != nil {
		return "", err
	}
	defer alice.conn.CloseNow()
	bob, err := c.dialChat(ctx, u, "bob")
	if err != nil {
		return "", err
	}
	defer bob.conn.CloseNow()

	// Until bob's subscription is active, a message would pass him by.
	deadline := time.Now().Add(c.Wait)
	heard := false
	for n := 1; !heard && time.Now().Before(deadline); n++ {
		probe := fmt.Sprintf("smoke %s: bob listens (%d)", c.runID, n)
		if err := bob.send(ctx, probe); err != nil {
			return "", err
		}
		if heard, err = bob.await(ctx, probe, min(2*time.Second, time.Until(deadline)), bob); err != nil {
			return "", err
		}
	}
	if !heard {
		return "", hopErr(hopChatPublish, "a chat message never came back to the chat's clients within %s: the chat function could not publish to the proxy (its GripUrl's control URL and key; its log: 'publish failed')", c.Wait)
	}
	msg := fmt.Sprintf("smoke %s: hello from alice", c.runID)
	if err := alice.send(ctx, msg); err != nil {
		return "", err
	}
	ok, err := bob.await(ctx, msg, c.Wait, alice)
	if err != nil {
		return "", err
	}
	if !ok {
		return "", hopErr(hopChatPublish, "bob, subscribed, did not receive alice's message within %s: the chat function could not publish it (its log: 'publish failed')", c.Wait)
	}
	return "two WebSocket clients at " + shown(u) + ": one sent, the other received it", nil
}

// dialChat opens a WebSocket through the proxy and waits for the chat's
// welcome.
func (c *checker) dialChat(ctx context.Context, u, name string) (*chatConn, error) {
	what := name + ": WebSocket " + shown(u)
	conn, resp, err := websocket.Dial(ctx, u, &websocket.DialOptions{HTTPClient: c.HTTPClient})
	if err != nil {
		if resp != nil && resp.StatusCode != http.StatusSwitchingProtocols {
			body, _ := io.ReadAll(resp.Body) // coder/websocket keeps its first 1 KiB
			return nil, c.proxyAnswer(what, resp.StatusCode, resp.Header, body)
		}
		return nil, c.unreachable(what, err)
	}
	conn.SetReadLimit(1 << 20)
	cc := &chatConn{name: name, conn: conn, frames: make(chan chatFrame, 256), done: make(chan error, 1)}
	go func() {
		for {
			_, data, err := conn.Read(context.Background())
			if err != nil {
				cc.done <- err
				close(cc.frames)
				return
			}
			var f chatFrame
			if json.Unmarshal(data, &f) != nil {
				continue
			}
			select {
			case cc.frames <- f:
			default: // a busy chat of real users: what nobody awaits goes
			}
		}
	}()
	select {
	case f, ok := <-cc.frames:
		if ok && f.Type == "notice" && f.Code == "welcome" {
			return cc, nil
		}
		if !ok {
			return nil, hopErr(hopAPIFunction, "%s: the connection closed before the chat's welcome (%v): the chat function refused or failed it (its log)", what, <-cc.done)
		}
		return nil, hopErr(hopAPIFunction, "%s: the first message is %+v, not the chat's welcome", what, f)
	case <-time.After(c.Wait):
		conn.CloseNow()
		return nil, hopErr(hopAPIFunction, "%s: connected, but no welcome from the chat within %s", what, c.Wait)
	}
}

func (cc *chatConn) send(ctx context.Context, text string) error {
	if err := cc.conn.Write(ctx, websocket.MessageText, []byte(text)); err != nil {
		return hopErr(hopClientProxy, "%s: sending: %v", cc.name, err)
	}
	return nil
}

// await waits up to d for a message whose text is want; the chat's notices
// to the sender (not delivered, rate limited) end it with an error.
func (cc *chatConn) await(ctx context.Context, want string, d time.Duration, sender *chatConn) (bool, error) {
	timeout := time.After(d)
	senderFrames := sender.frames
	if sender == cc {
		senderFrames = nil
	}
	for {
		var f chatFrame
		var ok bool
		select {
		case f, ok = <-cc.frames:
			if !ok {
				return false, hopErr(hopClientProxy, "%s: the connection closed (%v)", cc.name, <-cc.done)
			}
		case f, ok = <-senderFrames:
			if !ok {
				return false, hopErr(hopClientProxy, "%s: the connection closed (%v)", sender.name, <-sender.done)
			}
			if f.Type == "notice" {
				return false, hopErr(hopChatPublish, "%s was told %q (%s): the chat function could not publish (its log: 'publish failed')", sender.name, f.Text, f.Code)
			}
			continue
		case <-timeout:
			return false, nil
		case <-ctx.Done():
			return false, ctx.Err()
		}
		if f.Type == "message" && f.Text == want {
			return true, nil
		}
	}
}
