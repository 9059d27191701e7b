package e2e

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestStreamPlainAndSSE(t *testing.T) {
	needs(t, "StreamFunction", "PublishFunction")
	stack(t)
	ctx := testContext(t, time.Minute)
	channel := uniqueChannel("stream")

	plain := openStream(t, ctx, "/stream?channel="+channel, nil)
	sse := openStream(t, ctx, "/stream?channel="+channel, http.Header{"Accept": {"text/event-stream"}})

	// The first bytes arrive once Pushpin holds the stream, subscribed.
	if got := plain.next(); got != "streaming "+channel {
		t.Fatalf("plain stream opened with %q", got)
	}
	// The open event names the id the stream starts at (0: before the
	// first message of this new channel), for EventSource's Last-Event-ID.
	if got := sse.next(); got != "id: 0" {
		t.Fatalf("SSE stream opened with %q, want the id it starts at", got)
	}
	if got := sse.next(); got != "event: open" {
		t.Fatalf("SSE stream opened with %q", got)
	}
	if got := sse.next(); got != "data: streaming "+channel {
		t.Fatalf("SSE open event data %q", got)
	}

	// Two publishes of three items each: order holds within and across them.
	var want []string
	for batch := range 2 {
		var msgs []map[string]string
		for i := range 3 {
			m := fmt.Sprintf("item %d.%d ✓", batch, i)
			msgs = append(msgs, text(channel, m))
			want = append(want, m)
		}
		publish(t, ctx, msgs...)
	}

	for _, w := range want {
		if got := plain.next(); got != w {
			t.Fatalf("plain stream: got %q, want %q", got, w)
		}
	}
	lastID := 0
	for _, w := range want {
		idLine, event, data := sse.next(), sse.next(), sse.next()
		id, err := strconv.Atoi(strings.TrimPrefix(idLine, "id: "))
		if err != nil || id <= lastID || event != "event: message" || data != "data: "+w {
			t.Fatalf("SSE event %q %q %q after id %d, want data %q", idLine, event, data, lastID, w)
		}
		lastID = id
	}
}
