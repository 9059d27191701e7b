// Command chat is the WebSocket chat function: GET /chat serves the page, POST
// /chat speaks WebSocket-over-HTTP with the GRIP proxy.
//
// Its environment, besides what package edge reads: CHAT_CHANNEL (default
// chat), CHAT_RATE (messages per second per connection, default 10),
// CHAT_BURST (default 20), CHAT_MAX_MESSAGE_BYTES (default 4096) and
// CHAT_HISTORY (on, the default, or off): on, every message is numbered in
// the history HISTORY_DIR or HISTORY_TABLE names, and a client that
// reconnects with ?last_id= gets what it missed (see replay.go).
//
// With client tokens on (CLIENT_TOKEN_*, read by edge), a WebSocket joins
// only if its token verifies and grants CHAT_CHANNEL (else its handshake
// fails with 401 or 403), speaks under the token's name, and is closed at
// its first message after the token expires. The page passes
// ?access_token= from its own URL to the WebSocket.
package main

import (
	"context"

	"github.com/faas-grip/faas-grip-go/internal/edge"
	"github.com/faas-grip/faas-grip-go/internal/grip/apigw"
)

func main() {
	edge.ServeHTTP(setup, pageIsPublic)
}

// setup builds the handler once per cold start; edge checks Grip-Sig first.
func setup(ctx context.Context, cold edge.ColdStart) (apigw.Handler, error) {
	h, err := configure(ctx, cold)
	if err != nil {
		return nil, err
	}
	return h.Handle, nil
}
