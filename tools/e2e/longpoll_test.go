package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"testing"
	"time"
)

// poll is the long-poll response body (internal/feed.Poll).
type poll struct {
	Channel  string `json:"channel"`
	Messages []struct {
		ID   string `json:"id"`
		Text string `json:"text"`
	} `json:"messages"`
	LastID string `json:"last_id"`
	Gap    bool   `json:"gap"`
}

func (p poll) texts() []string {
	var out []string
	for _, m := range p.Messages {
		out = append(out, m.Text)
	}
	return out
}

// startPoll sends a long-poll through Pushpin; the result arrives on the
// channel when Pushpin answers it.
func startPoll(t *testing.T, ctx context.Context, channel, lastID string) <-chan poll {
	t.Helper()
	q := url.Values{"channel": {channel}}
	if lastID != "" {
		q.Set("last_id", lastID)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, stack(t).ProxyURL()+"/longpoll?"+q.Encode(), nil)
	if err != nil {
		t.Fatal(err)
	}
	out := make(chan poll, 1)
	go func() {
		defer close(out)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Errorf("long-poll: %v", err)
			return
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		var p poll
		if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &p) != nil {
			t.Errorf("long-poll: status %d, body %s", resp.StatusCode, body)
			return
		}
		out <- p
	}()
	return out
}

func await(t *testing.T, polls <-chan poll, within time.Duration) poll {
	t.Helper()
	select {
	case p, ok := <-polls:
		if !ok {
			t.FailNow()
		}
		return p
	case <-time.After(within):
		t.Fatalf("the long-poll was not answered within %v", within)
	}
	panic("unreachable")
}

func TestLongpollReleasedByPublish(t *testing.T) {
	needs(t, "LongpollFunction", "PublishFunction")
	stack(t)
	ctx := testContext(t, time.Minute)
	channel := uniqueChannel("poll")

	polls := startPoll(t, ctx, channel, "")
	// The request is held once Pushpin has the function's answer, which the
	// client cannot see: publish until the poll is released (each attempt is
	// a new message, so whichever arrives is the release).
	for attempt := 1; ; attempt++ {
		publish(t, ctx, text(channel, fmt.Sprintf("release %d", attempt)))
		select {
		case p, ok := <-polls:
			if !ok {
				t.FailNow()
			}
			if len(p.Messages) != 1 || p.LastID == "" || p.Messages[0].ID != p.LastID {
				t.Fatalf("released with %+v", p)
			}
			t.Logf("released by publish %d: %q", attempt, p.Messages[0].Text)
			return
		case <-time.After(300 * time.Millisecond):
		}
		if attempt == 20 {
			t.Fatal("20 publishes did not release the long-poll")
		}
	}
}

func TestLongpollTimeout(t *testing.T) {
	needs(t, "LongpollFunction")
	stack(t)
	ctx := testContext(t, time.Minute)
	channel := uniqueChannel("idle")

	start := time.Now()
	p := await(t, startPoll(t, ctx, channel, ""), longpollTimeout+10*time.Second)
	elapsed := time.Since(start)
	if elapsed < longpollTimeout-500*time.Millisecond {
		t.Errorf("answered after %v, before the %v timeout", elapsed, longpollTimeout)
	}
	if p.Channel != channel || len(p.Messages) != 0 {
		t.Errorf("timed-out poll answered %+v, want no messages", p)
	}
}

func TestLongpollResumeLosesNothing(t *testing.T) {
	needs(t, "LongpollFunction", "PublishFunction")
	stack(t)
	ctx := testContext(t, time.Minute)
	channel := uniqueChannel("resume")

	// The client has seen m1, then goes away while m2..m4 are published.
	publish(t, ctx, text(channel, "m1"))
	first := await(t, startPoll(t, ctx, channel, "0"), 10*time.Second)
	if got := first.texts(); len(got) != 1 || got[0] != "m1" {
		t.Fatalf("first poll: %q", got)
	}
	publish(t, ctx, text(channel, "m2"), text(channel, "m3"))
	publish(t, ctx, text(channel, "m4"))

	// Back with the last id it saw: everything since, at once, in order.
	back := await(t, startPoll(t, ctx, channel, first.LastID), 5*time.Second)
	if got := fmt.Sprint(back.texts()); got != "[m2 m3 m4]" || back.Gap {
		t.Fatalf("resumed poll: %s (gap %v), want [m2 m3 m4]", got, back.Gap)
	}

	// Caught up: the next poll is held until the next message.
	held := startPoll(t, ctx, channel, back.LastID)
	for attempt := 1; ; attempt++ {
		select {
		case p := <-held:
			if got := p.texts(); len(got) == 0 || got[0] != "m5" {
				t.Fatalf("held poll released with %q, want m5 first", got)
			}
			return
		case <-time.After(300 * time.Millisecond):
		}
		if attempt == 1 {
			publish(t, ctx, text(channel, "m5"))
		}
		if attempt == 30 {
			t.Fatal("the caught-up poll was not released by m5")
		}
	}
}
