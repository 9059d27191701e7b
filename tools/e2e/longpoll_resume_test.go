package e2e

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/faas-grip/faas-grip-go/internal/history"
)

// A held long-poll is cut (a network change), messages are published in
// the gap, and the client polls again with the last id it has: it gets
// each message once, in order. Then a client away for longer than the
// history keeps is told (gap) and goes on from what is kept.
func TestLongpollCutAndResumed(t *testing.T) {
	needs(t, "LongpollFunction", "PublishFunction")
	stack(t)
	ctx := testContext(t, time.Minute)
	channel := uniqueChannel("lpcut")

	publish(t, ctx, text(channel, "m1"))
	first := await(t, startPoll(t, ctx, channel, "0"), 10*time.Second)
	if got := fmt.Sprint(first.texts()); got != "[m1]" {
		t.Fatalf("first poll: %s", got)
	}

	cutCtx, cut := context.WithCancel(ctx)
	held := startPollQuiet(t, cutCtx, channel, first.LastID)
	time.Sleep(500 * time.Millisecond) // held by Pushpin by now
	cut()
	<-held
	publish(t, ctx, text(channel, "m2"))
	publish(t, ctx, text(channel, "m3"), text(channel, "m4"))

	got, last, gap := pollUntil(t, ctx, channel, first.LastID, 3)
	if fmt.Sprint(got) != "[m2 m3 m4]" || gap {
		t.Fatalf("after the cut: %q (gap %v), want [m2 m3 m4] once each, in order", got, gap)
	}

	t.Run("older than the retention", func(t *testing.T) {
		// The local history keeps HISTORY_MAX_ENTRIES per channel; a store
		// keeping 50 compacts the channel to its last 50, as a long absence
		// past the retention would.
		store, err := history.NewDirStore(sharedHistory, history.WithMaxEntries(50))
		if err != nil {
			t.Fatal(err)
		}
		data := make([][]byte, 100)
		for i := range data {
			data[i] = []byte("filler " + strconv.Itoa(i))
		}
		if _, err := store.Append(ctx, channel, data...); err != nil {
			t.Fatal(err)
		}
		got, _, gap := pollUntil(t, ctx, channel, last, 50)
		if !gap {
			t.Error("the client was not told it missed messages (gap)")
		}
		if len(got) != 50 || got[0] != "filler 50" || got[49] != "filler 99" || slices.Contains(got, "filler 0") {
			t.Errorf("after the gap: %d messages from %q, want filler 50 to filler 99", len(got), got[:min(len(got), 3)])
		}
	})
}

// pollUntil polls from lastID, each time with the last id it got, until it
// has n messages, and returns their texts, the last id and whether any
// answer said gap.
func pollUntil(t *testing.T, ctx context.Context, channel, lastID string, n int) (texts []string, last string, gap bool) {
	t.Helper()
	last = lastID
	for len(texts) < n {
		p := await(t, startPoll(t, ctx, channel, last), 10*time.Second)
		texts = append(texts, p.texts()...)
		gap = gap || p.Gap
		last = p.LastID
	}
	return texts, last, gap
}

// startPollQuiet is startPoll for a poll the test cuts: its error is expected.
func startPollQuiet(t *testing.T, ctx context.Context, channel, lastID string) <-chan struct{} {
	t.Helper()
	done := make(chan struct{})
	u := stack(t).ProxyURL() + "/longpoll?" + url.Values{"channel": {channel}, "last_id": {lastID}}.Encode()
	go func() {
		defer close(done)
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return
		}
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
		}
	}()
	return done
}
