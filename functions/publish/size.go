package main

import (
	"encoding/json"
	"fmt"

	"github.com/faas-grip/faas-grip-go/internal/feed"
)

// maxItemsBytes bounds the items of one publish request, encoded. Pushpin
// (1.36) answers "400 Request body too large" to a body of about 1,000 KB
// and resets the connection at 2 MB; the margin left is for the
// {"items":[...]} around them and GRIP_PREFIX on every channel.
const maxItemsBytes = 900_000

// longestID is the longest id the history hands out, so sizes counted with
// it are upper bounds.
const longestID = "18446744073709551615"

// textSize is the encoded size, at most, of the items that publish text to
// every kind of client (each carries it: see feed.Items), plus a comma.
func textSize(channel, text string) (int, error) {
	size := 0
	for _, it := range feed.Items(channel, text, longestID, longestID) {
		b, err := json.Marshal(it)
		if err != nil {
			return 0, &InputError{Field: "text", Reason: err.Error()}
		}
		size += len(b) + 1
	}
	return size, checkSize("text", size)
}

// checkSize refuses a message whose items cannot fit one publish request.
func checkSize(field string, size int) error {
	if size <= maxItemsBytes {
		return nil
	}
	what := "its items encode"
	if field == "text" {
		what = "sent to every kind of client (WebSocket, HTTP stream, SSE, long-poll) it encodes"
	}
	return &InputError{Field: field, Reason: fmt.Sprintf("too large: %s to %d bytes, over the %d bytes one publish request may carry", what, size, maxItemsBytes)}
}
