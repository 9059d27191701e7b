package ws

import (
	"net/http"
	"strings"
	"testing"

	"github.com/faas-grip/faas-grip-go/internal/grip"
	"github.com/faas-grip/faas-grip-go/internal/grip/woh"
)

// benchHeader is what Pushpin sends with a chat message: a handful of
// headers, as in the Node faas-grip measurement the budget compares with.
func benchHeader() http.Header {
	return http.Header{
		"Content-Type":      {woh.ContentType},
		"Accept":            {woh.ContentType},
		"Connection-Id":     {"e3b0c44298fc1c14"},
		"Meta-User":         {"ann"},
		"Grip-Sig":          {"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJwdXNocGluIiwiZXhwIjoxNzAwMDAwMDAwfQ.c2lnbmF0dXJl"},
		"Host":              {"abc123.execute-api.eu-west-1.amazonaws.com"},
		"User-Agent":        {"Mozilla/5.0 (X11; Linux x86_64)"},
		"X-Forwarded-For":   {"203.0.113.7"},
		"Sec-Websocket-Key": {"dGhlIHNhbXBsZSBub25jZQ=="},
		"X-Amzn-Trace-Id":   {"Root=1-5f84c7a9-6c6e6c6d6b6a696867666564"},
	}
}

var chatEvent = string(woh.Encode(woh.Event{Type: woh.Text, Content: []byte(`{"text":"hello, everyone!!"}`)}))

// chatHandle is the work of the chat function per request, publishing aside.
func chatHandle(b *testing.B, header http.Header, body []byte) int {
	c, err := parse(http.MethodPost, header, body, grip.Config{Prefix: "chat-"})
	if err != nil {
		b.Fatal(err)
	}
	if c.IsOpening() {
		c.Accept()
		c.Subscribe("room")
	}
	user := c.Meta("user")
	for c.CanRecv() {
		msg, err := c.Recv()
		if err != nil {
			b.Fatal(err)
		}
		if msg.Type == TextMessage {
			c.Send(user)
		}
	}
	return len(c.Response().Body)
}

func benchmarkChat(b *testing.B, body string) {
	header := benchHeader()
	raw := []byte(body)
	b.ReportAllocs()
	for b.Loop() {
		if chatHandle(b, header, raw) == 0 {
			b.Fatal("empty response")
		}
	}
}

func BenchmarkChatHandle1(b *testing.B) { benchmarkChat(b, chatEvent) }

func BenchmarkChatHandle100(b *testing.B) { benchmarkChat(b, strings.Repeat(chatEvent, 100)) }

func BenchmarkChatOpen(b *testing.B) { benchmarkChat(b, "OPEN\r\n") }
