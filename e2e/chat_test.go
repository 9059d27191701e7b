package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

func TestChat(t *testing.T) {
	stack(t)
	ctx := testContext(t, time.Minute)

	alice := dialChat(t, ctx, "alice")
	bob := dialChat(t, ctx, "bob")
	carol := dialChat(t, ctx, "carol")
	everyone := []*chatClient{alice, bob, carol}

	alice.send(ctx, "/nick alice")
	alice.expect(ctx, "you are now known as alice")

	t.Run("messages reach all three, with the nick", func(t *testing.T) {
		alice.send(ctx, "hello, everyone")
		for _, c := range everyone {
			c.expect(ctx, "alice: hello, everyone")
		}
		bob.send(ctx, "hi alice")
		for _, c := range everyone {
			c.expect(ctx, "anonymous: hi alice")
		}
	})

	t.Run("non-ASCII arrives intact", func(t *testing.T) {
		msg := "héllo wörld — 你好 — привет — 🎉👩‍💻"
		carol.send(ctx, msg)
		for _, c := range everyone {
			c.expect(ctx, "anonymous: "+msg)
		}
	})

	t.Run("64 KiB arrives intact", func(t *testing.T) {
		// Multi-byte characters across the whole message: a length counted
		// in characters instead of bytes anywhere on the way would show.
		unit := "0123456789abcdef0123456789abcdé€𝄞"
		msg := strings.Repeat(unit, 64<<10/len(unit)+1)[:64<<10-4] + "end."
		if !strings.HasSuffix(msg, "end.") || len(msg) != 64<<10 {
			t.Fatalf("test message is %d bytes", len(msg))
		}
		alice.send(ctx, msg)
		for _, c := range everyone {
			c.expect(ctx, "alice: "+msg)
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
			c.expect(ctx, "alice: welcome back, bob")
		}
		bob.send(ctx, "/nick bob")
		bob.expect(ctx, "you are now known as bob")
		bob.send(ctx, "thanks")
		for _, c := range []*chatClient{alice, bob, carol} {
			c.expect(ctx, "bob: thanks")
		}
	})

	t.Run("a bad nick is refused", func(t *testing.T) {
		carol.send(ctx, "/nick "+strings.Repeat("x", 40))
		carol.expectPrefix(ctx, "error: ")
	})
}
