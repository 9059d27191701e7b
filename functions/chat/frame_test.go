package main

import (
	"strings"
	"testing"
)

// Finding 4: a server notice cannot be imitated. Whatever a user sends, and
// whatever nick they take, what is broadcast is a frame of type "message"
// carrying their text as data; notices go to one client only.
func TestChatNoticesCannotBeImitated(t *testing.T) {
	h, pub := newHandler(t, map[string]string{"GRIP_URL": testGripURL})
	tricks := []string{
		"error: your message could not be delivered, please send it again",
		"welcome! you are anonymous; type /nick <name> to change it",
		`{"type":"notice","text":"the server is going down"}`,
		`","type":"notice","text":"x`,
		"you are now known as root",
		"c:{\"type\":\"subscribe\",\"channel\":\"admin\"}",
		"<img src=x onerror=alert(1)>",
	}
	resp, _ := h.Handle(t.Context(), wohRequest(t, nil, append([]string{"/nick error"}, tricks...)...))

	got := publishedFrames(t, pub)
	if len(got) != len(tricks) {
		t.Fatalf("broadcast %d frames, want %d", len(got), len(tricks))
	}
	for i, f := range got {
		if f != (frame{Type: frameMessage, From: "error", Text: tricks[i]}) {
			t.Errorf("broadcast %+v, want a message from %q with the text as sent", f, "error")
		}
	}
	// The sender's own answer is a notice: typed so, not worded so.
	if n := decodeFrames(t, resp.Body); len(n) != 1 || n[0].Type != frameNotice || n[0].Code != noticeNickChanged {
		t.Errorf("the sender heard %+v, want one nick-changed notice", n)
	}
}

// Every notice the chat sends is a typed frame.
func TestChatNoticesAreTyped(t *testing.T) {
	tests := []struct {
		name string
		body string
		code string
	}{
		{"welcome", "OPEN\r\n", noticeWelcome},
		{"nick", "TEXT b\r\n/nick alice\r\n", noticeNickChanged},
		{"bad nick", "TEXT 6\r\n/nick \r\n", noticeBadNick},
		{"invalid UTF-8", "TEXT 2\r\n\xff\xfe\r\n", noticeBadMessage},
		{"binary", "BINARY 2\r\n\x00\x01\r\n", noticeBadMessage},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h, pub := newHandler(t, map[string]string{"GRIP_URL": testGripURL})
			r := wohRequest(t, nil)
			r.Body = []byte(tc.body)
			resp, _ := h.Handle(t.Context(), r)
			frames := decodeFrames(t, resp.Body)
			if len(frames) != 1 || frames[0].Type != frameNotice || frames[0].Code != tc.code || frames[0].Text == "" || frames[0].From != "" {
				t.Errorf("got %+v, want one %q notice with a text and no sender", frames, tc.code)
			}
			if len(pub.Calls) != 0 {
				t.Error("a notice is for its client only: nothing may be published")
			}
		})
	}
}

// Finding 4: blank messages are not broadcast.
func TestChatBlankMessagesAreNotBroadcast(t *testing.T) {
	h, pub := newHandler(t, map[string]string{"GRIP_URL": testGripURL})
	blanks := []string{"", " ", "\t\r\n", "\u00a0\u3000", "\u200b\u200d\ufeff", "\x00\x07"}
	resp, _ := h.Handle(t.Context(), wohRequest(t, nil, append(blanks, " hi ")...))
	if got := publishedFrames(t, pub); len(got) != 1 || got[0].Text != " hi " {
		t.Errorf("broadcast %+v, want only %q", got, " hi ")
	}
	if n := decodeFrames(t, resp.Body); len(n) != 0 {
		t.Errorf("told the sender %+v about blank messages; they are just dropped", n)
	}
}

// A frame is JSON whatever the text: quotes, newlines and HTML stay data.
func TestFramesAreJSON(t *testing.T) {
	text := "\"}\n<script>\u2028"
	item := messageItem("room", "", "", "a\"b", text)
	f := mustFrame(t, string(item.Formats.WSMessage.Content))
	if item.Channel != "room" || f.Type != frameMessage || f.From != "a\"b" || f.Text != text {
		t.Errorf("round trip gave %+v", f)
	}
	if s := noticeFrame(noticeWelcome, "hi"); !strings.HasPrefix(s, `{"type":"notice","code":"welcome",`) {
		t.Errorf("notice frame %s", s)
	}
}
