package e2e

import (
	"net/http"
	"testing"
	"time"
)

// The chat trusts its connection's meta (the nick, the rate limit's bucket)
// because only the proxy sets Meta-* on requests it signs. A client that sends
// Meta-* headers in its handshake must not reach the function with them: the
// forged nick is not used, and a forged bucket (stamped in the future, which
// the chat would read as empty) does not stop the message.
func TestClientMetaHeadersAreNotTrusted(t *testing.T) {
	needs(t, "ChatFunction")
	s := stack(t)
	ctx := testContext(t, 30*time.Second)
	forged := http.Header{"Meta-Nick": {"admin"}, "Meta-Chat-Rate": {"20000,9999999999999,0"}}
	c := dialChatWith(t, ctx, s.ProxyURL(), s.ControlURL(), "forger", forged)
	c.send(ctx, "who am I?")
	c.expect(ctx, chatMessage("anonymous", "who am I?"))
}
