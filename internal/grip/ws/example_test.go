package ws_test

import (
	"fmt"
	"net/http"
	"time"

	"github.com/faas-grip/faas-grip-go/internal/grip"
	"github.com/faas-grip/faas-grip-go/internal/grip/apigw"
	"github.com/faas-grip/faas-grip-go/internal/grip/woh"
	"github.com/faas-grip/faas-grip-go/internal/grip/ws"
)

// handle is a typical chat handler: accept and subscribe on open, answer
// every message, and clean up on disconnect.
func handle(req *apigw.Request) *apigw.Response {
	c, err := ws.FromRequest(req, grip.Config{Prefix: "demo-"})
	if err != nil {
		// Not WebSocket-over-HTTP, or a malformed body: the error says which.
		return &apigw.Response{Status: http.StatusBadRequest, Body: []byte(err.Error())}
	}
	if c.IsOpening() {
		c.Accept()
		c.Subscribe("room")
	}
	for c.CanRecv() {
		msg, err := c.Recv()
		if err != nil {
			break
		}
		switch msg.Type {
		case ws.TextMessage:
			c.Send("echo: " + string(msg.Data))
		case ws.BinaryMessage:
			c.SendBinary(msg.Data)
		case ws.CloseMessage:
			fmt.Println("client closed with", msg.Code, msg.Reason)
			// Response answers it; call c.Close to pick another code.
		case ws.DisconnectMessage:
			fmt.Println("connection", c.ID(), "is gone")
		}
	}
	return c.Response()
}

func request(body string) *apigw.Request {
	return &apigw.Request{
		Method: http.MethodPost,
		Header: http.Header{"Content-Type": {woh.ContentType}, "Connection-Id": {"conn-1"}},
		Body:   []byte(body),
	}
}

func Example() {
	resp := handle(request("OPEN\r\nTEXT 5\r\nhello\r\n"))
	fmt.Println(resp.Status, resp.Header.Get("Sec-WebSocket-Extensions"))
	fmt.Printf("%q\n", resp.Body)

	resp = handle(request("PING 1\r\nx\r\nCLOSE 5\r\n\x03\xe9bye\r\n"))
	fmt.Printf("%q\n", resp.Body)

	resp = handle(request("DISCONNECT\r\n"))
	fmt.Printf("%q\n", resp.Body)

	resp = handle(&apigw.Request{Method: http.MethodGet})
	fmt.Println(resp.Status, string(resp.Body))
	// Output:
	// 200 grip
	// "OPEN\r\nTEXT 2c\r\nc:{\"channel\":\"demo-room\",\"type\":\"subscribe\"}\r\nTEXT d\r\nm:echo: hello\r\n"
	// client closed with 1001 bye
	// "PONG 1\r\nx\r\nCLOSE 2\r\n\x03\xe9\r\n"
	// connection conn-1 is gone
	// ""
	// 400 ws: not a WebSocket-over-HTTP request: method is "GET", want POST
}

func ExampleFromRequest_notWebSocketOverHTTP() {
	req := request("")
	req.Header.Set("Content-Type", "application/json")
	_, err := ws.FromRequest(req, grip.Config{})
	fmt.Println(err)
	// Output:
	// ws: not a WebSocket-over-HTTP request: Content-Type is "application/json", want application/websocket-events
}

func ExampleContext_AcceptProtocol() {
	c, _ := ws.FromRequest(request("OPEN\r\n"), grip.Config{})
	c.AcceptProtocol("chat.v1") // one the client offered in Sec-WebSocket-Protocol
	resp := c.Response()
	fmt.Println(resp.Header.Get("Sec-WebSocket-Protocol"))
	// Output: chat.v1
}

func ExampleContext_SetMeta() {
	req := request("TEXT 9\r\n/nick bob\r\n")
	req.Header.Set("Meta-Nick", "ann") // bound by an earlier response
	c, _ := ws.FromRequest(req, grip.Config{})
	fmt.Println("was", c.Meta("nick"))

	if err := c.SetMeta("nick", "bob"); err != nil {
		fmt.Println(err)
	}
	err := c.SetMeta("nick", "eve\r\nX-Evil: 1")
	fmt.Println(err)

	resp := c.Response()
	fmt.Println("Set-Meta-Nick:", resp.Header.Get("Set-Meta-Nick"))
	// Output:
	// was ann
	// ws: invalid meta "nick": value contains CR, LF, NUL or another control character
	// Set-Meta-Nick: bob
}

func ExampleContext_Close() {
	c, _ := ws.FromRequest(request("TEXT 4\r\nquit\r\n"), grip.Config{})
	c.Close(0, "bye") // code 0 is never sent: it becomes 1000
	c.Send("ignored: nothing is sent after a close")
	fmt.Printf("%q\n", c.Response().Body)
	// Output: "CLOSE 5\r\n\x03\xe8bye\r\n"
}

func ExampleContext_KeepAlive() {
	c, _ := ws.FromRequest(request("OPEN\r\n"), grip.Config{})
	c.Accept()
	c.KeepAlive(`{"type":"ping"}`, 30*time.Second)
	fmt.Printf("%q\n", c.Response().Body)
	// Output: "OPEN\r\nTEXT 44\r\nc:{\"content\":\"{\\\"type\\\":\\\"ping\\\"}\",\"timeout\":30,\"type\":\"keep-alive\"}\r\n"
}

func ExampleContext_SendControl() {
	c, _ := ws.FromRequest(request(""), grip.Config{})
	err := c.SendControl(struct {
		Type string `json:"type"`
		ID   string `json:"id"`
	}{Type: "session", ID: "s-42"})
	fmt.Println(err)
	fmt.Printf("%q\n", c.Response().Body)
	// Output:
	// <nil>
	// "TEXT 20\r\nc:{\"type\":\"session\",\"id\":\"s-42\"}\r\n"
}
