package ws

import (
	"errors"
	"testing"

	"github.com/faas-grip/faas-grip-go/internal/grip"
)

func TestRecv(t *testing.T) {
	tests := []struct {
		name string
		body string
		want []Message
	}{
		{"empty body", "", nil},
		{"open only", "OPEN\r\n", nil},
		{"text", "TEXT 5\r\nhello\r\n", []Message{{Type: TextMessage, Data: []byte("hello")}}},
		{"empty text", "TEXT 0\r\n\r\n", []Message{{Type: TextMessage, Data: []byte{}}}},
		{"binary", "BINARY 2\r\n\x00\x01\r\n", []Message{{Type: BinaryMessage, Data: []byte{0, 1}}}},
		{"skips open, ping and pong", "OPEN\r\nPING\r\nPONG 1\r\nx\r\nTEXT 1\r\na\r\nPING\r\n", []Message{{Type: TextMessage, Data: []byte("a")}}},
		{"close with code and reason", "CLOSE 5\r\n\x03\xe9bye\r\n", []Message{{Type: CloseMessage, Data: []byte("\x03\xe9bye"), Code: 1001, Reason: "bye"}}},
		{"close without code", "CLOSE\r\n", []Message{{Type: CloseMessage}}},
		{"disconnect", "TEXT 1\r\na\r\nDISCONNECT\r\n", []Message{{Type: TextMessage, Data: []byte("a")}, {Type: DisconnectMessage}}},
		{"in order", "TEXT 1\r\na\r\nBINARY 1\r\nb\r\nTEXT 1\r\nc\r\n", []Message{
			{Type: TextMessage, Data: []byte("a")}, {Type: BinaryMessage, Data: []byte("b")}, {Type: TextMessage, Data: []byte("c")},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := mustParse(t, tc.body, grip.Config{})
			var got []Message
			for c.CanRecv() {
				msg, err := c.Recv()
				if err != nil {
					t.Fatalf("Recv after CanRecv: %v", err)
				}
				got = append(got, msg)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %d messages %+v, want %d %+v", len(got), got, len(tc.want), tc.want)
			}
			for i := range got {
				g, w := got[i], tc.want[i]
				if g.Type != w.Type || string(g.Data) != string(w.Data) || (g.Data == nil) != (w.Data == nil) ||
					g.Code != w.Code || g.Reason != w.Reason {
					t.Errorf("message %d = %+v, want %+v", i, g, w)
				}
			}
			if msg, err := c.Recv(); !errors.Is(err, errNoMessage) || msg.Type != 0 {
				t.Errorf("Recv at the end = %+v, %v; want errNoMessage", msg, err)
			}
		})
	}
}

func TestRecvWithoutCanRecv(t *testing.T) {
	c := mustParse(t, "PING\r\nTEXT 1\r\na\r\n", grip.Config{})
	if msg, err := c.Recv(); err != nil || string(msg.Data) != "a" {
		t.Fatalf("Recv = %+v, %v", msg, err)
	}
	if _, err := c.Recv(); !errors.Is(err, errNoMessage) {
		t.Fatalf("second Recv = %v, want errNoMessage", err)
	}
}
