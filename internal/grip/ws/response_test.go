package ws

import (
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/faas-grip/faas-grip-go/internal/grip"
)

func TestResponse(t *testing.T) {
	accepting := map[string]string{"Content-Type": "application/websocket-events", "Sec-Websocket-Extensions": "grip"}
	plain := map[string]string{"Content-Type": "application/websocket-events"}
	with := func(base map[string]string, kv ...string) map[string]string {
		m := map[string]string{}
		for k, v := range base {
			m[k] = v
		}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	tests := []struct {
		name    string
		body    string
		opts    grip.Config
		headers []string // extra request headers, name/value pairs
		handle  func(t *testing.T, c *Context)
		want    string
		header  map[string]string
	}{
		{
			name: "nothing to say", body: "", handle: func(*testing.T, *Context) {},
			want: "", header: plain,
		},
		{
			name: "opening without accept is a rejection", body: "OPEN\r\n", handle: func(*testing.T, *Context) {},
			want: "", header: plain,
		},
		{
			name: "accept", body: "OPEN\r\n", handle: func(_ *testing.T, c *Context) { c.Accept() },
			want: "OPEN\r\n", header: accepting,
		},
		{
			name: "accept with a subprotocol", body: "OPEN\r\n",
			handle: func(_ *testing.T, c *Context) { c.AcceptProtocol("chat.v1") },
			want:   "OPEN\r\n", header: with(accepting, "Sec-Websocket-Protocol", "chat.v1"),
		},
		{
			name: "a subprotocol that is not a token is not sent", body: "OPEN\r\n",
			handle: func(_ *testing.T, c *Context) { c.AcceptProtocol("chat\r\nX-Evil: 1") },
			want:   "OPEN\r\n", header: accepting,
		},
		{
			name: "accept on a later request does nothing", body: "TEXT 2\r\nhi\r\n",
			handle: func(_ *testing.T, c *Context) { c.AcceptProtocol("chat") },
			want:   "", header: plain,
		},
		{
			name: "accept, subscribe and a message (PROTOCOL.md vector)", body: "OPEN\r\n",
			handle: func(_ *testing.T, c *Context) { c.Accept(); c.Subscribe("room"); c.Send("hello") },
			want:   "OPEN\r\nTEXT 27\r\nc:{\"channel\":\"room\",\"type\":\"subscribe\"}\r\nTEXT 7\r\nm:hello\r\n", header: accepting,
		},
		{
			name: "prefix applied to subscribe and unsubscribe", body: "TEXT 1\r\nx\r\n", opts: grip.Config{Prefix: "app1-"},
			handle: func(_ *testing.T, c *Context) { c.Subscribe("room"); c.Unsubscribe("lobby") },
			want: "TEXT 2c\r\nc:{\"channel\":\"app1-room\",\"type\":\"subscribe\"}\r\n" +
				"TEXT 2f\r\nc:{\"channel\":\"app1-lobby\",\"type\":\"unsubscribe\"}\r\n", header: plain,
		},
		{
			name: "channel names are JSON-escaped", body: "",
			handle: func(_ *testing.T, c *Context) { c.Subscribe("a\"b\\c\nd\x01\xffé") },
			want:   "TEXT 3b\r\nc:{\"channel\":\"a\\\"b\\\\c\\nd\\u0001\\ufffdé\",\"type\":\"subscribe\"}\r\n", header: plain,
		},
		{
			name: "user text starting with c: stays a message", body: "",
			handle: func(_ *testing.T, c *Context) { c.Send(`c:{"type":"detach"}`) },
			want:   "TEXT 15\r\nm:c:{\"type\":\"detach\"}\r\n", header: plain,
		},
		{
			name: "empty text and binary", body: "",
			handle: func(_ *testing.T, c *Context) { c.Send(""); c.SendBinary(nil); c.SendBinary([]byte{0, 0xff}) },
			want:   "TEXT 2\r\nm:\r\nBINARY 2\r\nm:\r\nBINARY 4\r\nm:\x00\xff\r\n", header: plain,
		},
		{
			name: "send control", body: "",
			handle: func(t *testing.T, c *Context) {
				if err := c.SendControl(map[string]string{"type": "set-meta", "name": "user", "value": "ann"}); err != nil {
					t.Fatal(err)
				}
			},
			want: "TEXT 31\r\nc:{\"name\":\"user\",\"type\":\"set-meta\",\"value\":\"ann\"}\r\n", header: plain,
		},
		{
			name: "detach", body: "", handle: func(_ *testing.T, c *Context) { c.Detach() },
			want: "TEXT 13\r\nc:{\"type\":\"detach\"}\r\n", header: plain,
		},
		{
			name: "keep-alive", body: "",
			handle: func(_ *testing.T, c *Context) { c.KeepAlive(`{"ka":true}`, 20*time.Second) },
			want:   "TEXT 3e\r\nc:{\"content\":\"{\\\"ka\\\":true}\",\"timeout\":20,\"type\":\"keep-alive\"}\r\n", header: plain,
		},
		{
			name: "keep-alive timeout rounds up, zero omits it", body: "",
			handle: func(_ *testing.T, c *Context) { c.KeepAlive("x", 1500*time.Millisecond); c.KeepAlive("x", 0) },
			want: "TEXT 31\r\nc:{\"content\":\"x\",\"timeout\":2,\"type\":\"keep-alive\"}\r\n" +
				"TEXT 25\r\nc:{\"content\":\"x\",\"type\":\"keep-alive\"}\r\n", header: plain,
		},
		{
			name: "keep-alive off", body: "", handle: func(_ *testing.T, c *Context) { c.KeepAlive("", time.Minute) },
			want: "TEXT 17\r\nc:{\"type\":\"keep-alive\"}\r\n", header: plain,
		},
		{
			name: "auto pong echoes content", body: "PING 4\r\nabcd\r\nTEXT 1\r\na\r\nPING\r\n",
			handle: func(_ *testing.T, c *Context) {
				for c.CanRecv() {
					msg, _ := c.Recv()
					c.Send(string(msg.Data))
				}
			},
			want: "PONG 4\r\nabcd\r\nTEXT 3\r\nm:a\r\nPONG\r\n", header: plain,
		},
		{
			name: "pings are answered when the handler reads nothing", body: "TEXT 1\r\na\r\nPING 1\r\nz\r\n",
			handle: func(*testing.T, *Context) {},
			want:   "PONG 1\r\nz\r\n", header: plain,
		},
		{
			name: "pongs are ignored", body: "PONG 1\r\nz\r\n", handle: func(*testing.T, *Context) {},
			want: "", header: plain,
		},
		{
			name: "client close is echoed with its code", body: "CLOSE 5\r\n\x0f\xa0bye\r\n",
			handle: func(*testing.T, *Context) {},
			want:   "CLOSE 2\r\n\x0f\xa0\r\n", header: plain,
		},
		{
			name: "client close without code is answered with 1000", body: "CLOSE\r\n",
			handle: func(*testing.T, *Context) {},
			want:   "CLOSE 2\r\n\x03\xe8\r\n", header: plain,
		},
		{
			name: "client close with 1005 is answered with 1000", body: "CLOSE 2\r\n\x03\xed\r\n",
			handle: func(*testing.T, *Context) {},
			want:   "CLOSE 2\r\n\x03\xe8\r\n", header: plain,
		},
		{
			name: "client close answered after the handler's messages", body: "TEXT 1\r\na\r\nCLOSE 2\r\n\x03\xe9\r\n",
			handle: func(_ *testing.T, c *Context) { c.Send("bye") },
			want:   "TEXT 5\r\nm:bye\r\nCLOSE 2\r\n\x03\xe9\r\n", header: plain,
		},
		{
			name: "handler close answers the client's", body: "CLOSE 2\r\n\x03\xe9\r\n",
			handle: func(_ *testing.T, c *Context) { c.Close(4000, "done") },
			want:   "CLOSE 6\r\n\x0f\xa0done\r\n", header: plain,
		},
		{
			name: "close code 0 sends 1000", body: "", handle: func(_ *testing.T, c *Context) { c.Close(0, "") },
			want: "CLOSE 2\r\n\x03\xe8\r\n", header: plain,
		},
		{
			name: "close with a reserved code sends 1000", body: "", handle: func(_ *testing.T, c *Context) { c.Close(1006, "x") },
			want: "CLOSE 3\r\n\x03\xe8x\r\n", header: plain,
		},
		{
			name: "nothing is sent after close", body: "PING\r\n",
			handle: func(_ *testing.T, c *Context) {
				c.Close(1001, "")
				c.Send("late")
				c.SendBinary([]byte("late"))
				c.Subscribe("late")
				c.Unsubscribe("late")
				c.Detach()
				c.KeepAlive("late", 0)
				c.Close(1000, "")
				c.Disconnect()
				_ = c.SendControl(map[string]string{"type": "detach"})
			},
			want: "CLOSE 2\r\n\x03\xe9\r\n", header: plain,
		},
		{
			name: "long close reason is cut at a character", body: "",
			handle: func(_ *testing.T, c *Context) { c.Close(1000, strings.Repeat("é", 100)) },
			want:   "CLOSE 7c\r\n\x03\xe8" + strings.Repeat("é", 61) + "\r\n", header: plain,
		},
		{
			name: "disconnect", body: "TEXT 1\r\na\r\nCLOSE\r\n",
			handle: func(_ *testing.T, c *Context) { c.Send("x"); c.Disconnect(); c.Send("late") },
			want:   "TEXT 3\r\nm:x\r\nDISCONNECT\r\n", header: plain,
		},
		{
			name: "after a client disconnect nothing is sent", body: "OPEN\r\nPING\r\nCLOSE\r\nDISCONNECT\r\n",
			headers: []string{"Meta-User", "ann"},
			handle: func(t *testing.T, c *Context) {
				c.Accept()
				c.Send("x")
				c.Subscribe("room")
				if err := c.SetMeta("user", "bob"); err != nil {
					t.Fatal(err)
				}
			},
			want: "", header: plain,
		},
		{
			name: "meta diff", body: "TEXT 1\r\na\r\n",
			headers: []string{"Meta-User", "ann", "Meta-Room", "lobby", "Meta-Gone", "x"},
			handle: func(t *testing.T, c *Context) {
				for _, kv := range [][2]string{
					{"user", "ann"},  // unchanged: not sent
					{"Room", "main"}, // changed
					{"gone", ""},     // unbound
					{"new-one", "1"}, // new
					{"never", ""},    // unbinding an unbound meta is no change
				} {
					if err := c.SetMeta(kv[0], kv[1]); err != nil {
						t.Fatal(err)
					}
				}
			},
			want: "", header: with(plain, "Set-Meta-Room", "main", "Set-Meta-Gone", "", "Set-Meta-New-One", "1"),
		},
		{
			name: "more header values than the Context holds inline", body: "OPEN\r\n",
			handle: func(t *testing.T, c *Context) {
				c.AcceptProtocol("chat")
				for _, name := range []string{"a", "b", "c"} {
					if err := c.SetMeta(name, name+"1"); err != nil {
						t.Fatal(err)
					}
				}
			},
			want: "OPEN\r\n", header: with(accepting, "Sec-Websocket-Protocol", "chat",
				"Set-Meta-A", "a1", "Set-Meta-B", "b1", "Set-Meta-C", "c1"),
		},
		{
			name: "meta set twice keeps the last value", body: "", headers: []string{"Meta-User", "ann"},
			handle: func(t *testing.T, c *Context) {
				_ = c.SetMeta("user", "bob")
				_ = c.SetMeta("USER", "ann")
			},
			want: "", header: plain,
		},
		{
			name: "accepting response carries meta too", body: "OPEN\r\n",
			handle: func(t *testing.T, c *Context) {
				c.Accept()
				_ = c.SetMeta("user", "ann")
			},
			want: "OPEN\r\n", header: with(accepting, "Set-Meta-User", "ann"),
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := mustParse(t, tc.body, tc.opts, tc.headers...)
			tc.handle(t, c)
			resp := c.Response()
			if resp.Status != http.StatusOK {
				t.Errorf("Status = %d, want 200", resp.Status)
			}
			if string(resp.Body) != tc.want {
				t.Errorf("Body = %q\n      want %q", resp.Body, tc.want)
			}
			got := map[string]string{}
			for k, v := range resp.Header {
				if len(v) != 1 {
					t.Errorf("header %s has %d values", k, len(v))
				}
				got[k] = v[0]
			}
			if !reflect.DeepEqual(got, tc.header) {
				t.Errorf("Header = %v\n        want %v", got, tc.header)
			}
		})
	}
}

func TestResponseIsFinal(t *testing.T) {
	c := mustParse(t, "OPEN\r\n", grip.Config{})
	c.Accept()
	c.Send("a")
	first := c.Response()
	body := string(first.Body)
	c.Send("late")
	c.Close(1000, "")
	if second := c.Response(); second != first || string(second.Body) != body {
		t.Fatalf("second Response = %q, want the first %q", second.Body, body)
	}
	if string(first.Body) != body {
		t.Fatal("sending after Response changed the body")
	}
}

func TestResponseBodyCannotBeOverwritten(t *testing.T) {
	c := mustParse(t, "", grip.Config{})
	c.Send("a")
	resp := c.Response()
	if cap(resp.Body) != len(resp.Body) {
		t.Fatalf("Body has spare capacity %d: appending to it would write into the Context", cap(resp.Body)-len(resp.Body))
	}
}

func TestLargeResponse(t *testing.T) {
	in := strings.Repeat("TEXT 5\r\nhello\r\n", 300)
	c := mustParse(t, in, grip.Config{})
	var want strings.Builder
	for c.CanRecv() {
		msg, _ := c.Recv()
		c.Send(string(msg.Data))
		want.WriteString("TEXT 7\r\nm:hello\r\n")
	}
	c.Subscribe(strings.Repeat("long-channel-name-", 20)) // spills the control scratch buffer
	resp := c.Response()
	if !strings.HasPrefix(string(resp.Body), want.String()) || !strings.Contains(string(resp.Body), `"type":"subscribe"}`) {
		t.Fatalf("large response is wrong: %d bytes", len(resp.Body))
	}
}

func TestSendControlErrors(t *testing.T) {
	c := mustParse(t, "", grip.Config{})
	if err := c.SendControl(func() {}); err == nil || !strings.Contains(err.Error(), "control message") {
		t.Errorf("SendControl(func) = %v, want a marshaling error", err)
	}
	for _, v := range []any{"subscribe", 42, []string{"a"}, nil} {
		if err := c.SendControl(v); err != errControlNotObject {
			t.Errorf("SendControl(%v) = %v, want errControlNotObject", v, err)
		}
	}
	if body := c.Response().Body; len(body) != 0 {
		t.Errorf("failed control messages were sent: %q", body)
	}
}
