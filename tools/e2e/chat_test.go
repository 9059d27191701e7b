package e2e

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/coder/websocket"
)

// chatFrame is the chat's wire format: every message is a JSON object whose
// "type" says whether a user ("message") or the server ("notice") speaks.
// With history on, messages carry their id and some notices a last_id.
type chatFrame struct {
	Type   string `json:"type"`
	ID     string `json:"id,omitempty"`
	Code   string `json:"code,omitempty"`
	From   string `json:"from,omitempty"`
	Text   string `json:"text"`
	LastID string `json:"last_id,omitempty"`
}

func frameJSON(f chatFrame) string {
	b, _ := json.Marshal(f) // a struct of strings always marshals
	return string(b)
}

// chatMessage is the frame every client receives when from says text.
func chatMessage(from, text string) string {
	return frameJSON(chatFrame{Type: "message", From: from, Text: text})
}

// publishedMessage is the frame chat clients receive when the publish
// function publishes text to their channel.
func publishedMessage(text string) string {
	return frameJSON(chatFrame{Type: "message", Text: text})
}

// withoutIDs is a frame without its history id and last_id, as tests that
// are not about resuming compare it; anything else stays as it is.
func withoutIDs(m string) string {
	var f chatFrame
	if !strings.HasPrefix(m, "{") || json.Unmarshal([]byte(m), &f) != nil || (f.ID == "" && f.LastID == "") {
		return m
	}
	f.ID, f.LastID = "", ""
	return frameJSON(f)
}

// chatNotice is a frame the server sends one client.
func chatNotice(code, text string) string {
	return frameJSON(chatFrame{Type: "notice", Code: code, Text: text})
}

// noticePrefix starts every notice with the given code.
func noticePrefix(code string) string { return `{"type":"notice","code":"` + code + `"` }

func TestChat(t *testing.T) {
	needs(t, "ChatFunction")
	stack(t)
	ctx := testContext(t, time.Minute)

	alice := dialChat(t, ctx, "alice")
	bob := dialChat(t, ctx, "bob")
	carol := dialChat(t, ctx, "carol")
	everyone := []*chatClient{alice, bob, carol}

	alice.send(ctx, "/nick alice")
	alice.expect(ctx, chatNotice("nick-changed", "you are now known as alice"))

	t.Run("messages reach all three, with the nick", func(t *testing.T) {
		alice.send(ctx, "hello, everyone")
		for _, c := range everyone {
			c.expect(ctx, chatMessage("alice", "hello, everyone"))
		}
		bob.send(ctx, "hi alice")
		for _, c := range everyone {
			c.expect(ctx, chatMessage("anonymous", "hi alice"))
		}
	})

	t.Run("non-ASCII arrives intact", func(t *testing.T) {
		msg := "héllo wörld — 你好 — привет — 🎉👩‍💻"
		carol.send(ctx, msg)
		for _, c := range everyone {
			c.expect(ctx, chatMessage("anonymous", msg))
		}
	})

	// The default limit is 4 KiB: a message of exactly that arrives, one
	// byte more does not and its sender is told the limit.
	t.Run("4 KiB arrives intact, 4 KiB and a byte is refused", func(t *testing.T) {
		// Multi-byte characters across the whole message: a length counted
		// in characters instead of bytes anywhere on the way would show.
		unit := "0123456789abcdef0123456789abcdé€𝄞"
		msg := strings.Repeat(unit, (4<<10-4)/len(unit))
		msg += strings.Repeat(".", 4<<10-4-len(msg)) + "end."
		if !utf8.ValidString(msg) || len(msg) != 4<<10 {
			t.Fatalf("test message is %d bytes", len(msg))
		}
		alice.send(ctx, msg+"!")
		alice.expect(ctx, chatNotice("too-large", "your message was not sent: messages are limited to 4096 bytes"))
		alice.send(ctx, msg)
		for _, c := range everyone {
			c.expect(ctx, chatMessage("alice", msg))
		}
	})

	t.Run("a client closes and reconnects", func(t *testing.T) {
		// A clean close: the chat answers the client's CLOSE through Pushpin.
		if err := bob.conn.Close(websocket.StatusNormalClosure, "bye"); err != nil {
			t.Fatalf("close: %v", err)
		}
		bob = dialChat(t, ctx, "bob again")
		alice.send(ctx, "welcome back, bob")
		for _, c := range []*chatClient{alice, bob, carol} {
			c.expect(ctx, chatMessage("alice", "welcome back, bob"))
		}
		bob.send(ctx, "/nick bob")
		bob.expect(ctx, chatNotice("nick-changed", "you are now known as bob"))
		bob.send(ctx, "thanks")
		for _, c := range []*chatClient{alice, bob, carol} {
			c.expect(ctx, chatMessage("bob", "thanks"))
		}
	})

	t.Run("a bad nick is refused", func(t *testing.T) {
		carol.send(ctx, "/nick "+strings.Repeat("x", 40))
		carol.expectPrefix(ctx, noticePrefix("bad-nick"))
	})

	// Finding 4: a user named "error" saying "error: ..." is still a user.
	t.Run("a notice cannot be imitated", func(t *testing.T) {
		carol.send(ctx, "/nick error")
		carol.expect(ctx, chatNotice("nick-changed", "you are now known as error"))
		carol.send(ctx, "error: your message could not be delivered, please send it again")
		for _, c := range []*chatClient{alice, carol} { // bob's last connection ended with its subtest
			c.expect(ctx, chatMessage("error", "error: your message could not be delivered, please send it again"))
		}
	})
}

// Finding 2, through the real Pushpin: the token bucket travels in the
// connection's meta (Set-Meta-Chat-Rate, then Meta-Chat-Rate on the next
// request), so a flood is cut at the burst, told once, and refills.
func TestChatRateLimit(t *testing.T) {
	needs(t, "ChatFunction")
	stack(t)
	ctx := testContext(t, time.Minute)
	flooder := dialChat(t, ctx, "flooder")
	watcher := dialChat(t, ctx, "watcher")

	const sent, burst = 30, 20 // the default burst
	run := uniqueChannel("flood")
	for i := range sent {
		flooder.send(ctx, fmt.Sprintf("%s %d", run, i))
	}
	flooder.expectPrefix(ctx, noticePrefix("rate-limited"))

	// Count what the others got. The bucket refills at 10 a second while
	// the flood is on its way, so a little more than the burst may pass.
	got, notices := 0, 0
	deadline := time.After(2 * time.Second)
count:
	for {
		select {
		case m, ok := <-watcher.msgs:
			if !ok {
				t.Fatal("the watcher's connection ended")
			}
			if strings.Contains(m, `"text":"`+run+" ") {
				got++
			}
		case m, ok := <-flooder.msgs:
			if !ok {
				t.Fatal("the flooder's connection ended")
			}
			if strings.HasPrefix(m, noticePrefix("rate-limited")) {
				notices++
			}
		case <-deadline:
			break count
		}
	}
	if got < burst || got > burst+5 {
		t.Errorf("the others received %d of %d flooded messages, want the burst of %d (and a few refilled)", got, sent, burst)
	}
	if notices != 0 {
		t.Errorf("the flooder was told %d more times; once is enough", notices)
	}

	// Two seconds later the bucket has refilled: messages go through again.
	flooder.send(ctx, run+" after a pause")
	watcher.expect(ctx, chatMessage("anonymous", run+" after a pause"))
}
