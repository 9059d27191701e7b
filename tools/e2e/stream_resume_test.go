package e2e

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/faas-grip/faas-grip-go/internal/history"
)

// streamURL is the stream of channel through the shared Pushpin, with
// extra query parameters.
func streamURL(t *testing.T, channel string, extra ...string) string {
	t.Helper()
	q := url.Values{"channel": {channel}}
	for i := 0; i+1 < len(extra); i += 2 {
		q.Set(extra[i], extra[i+1])
	}
	return stack(t).ProxyURL() + "/stream?" + q.Encode()
}

// expectLines reads want from s, in order, failing on anything else.
func expectLines(t *testing.T, s *streamClient, want ...string) {
	t.Helper()
	for _, w := range want {
		if got := s.next(); got != w {
			t.Fatalf("got %q, want %q", got, w)
		}
	}
}

// numbered is n texts "r1 pad" to "r<n> pad".
func numbered(n int, pad string) []string {
	texts := make([]string, n)
	for i := range texts {
		texts[i] = "r" + strconv.Itoa(i+1) + " " + pad
	}
	return texts
}

// publishTexts publishes one message per text on channel through the
// publish function, in one invocation, and returns the texts.
func publishTexts(t *testing.T, ctx context.Context, channel string, texts ...string) []string {
	t.Helper()
	var msgs []map[string]string
	for _, s := range texts {
		msgs = append(msgs, text(channel, s))
	}
	publish(t, ctx, msgs...)
	return texts
}

// waitFollowed waits until the stream function has answered the proxy
// following the next link of channel's stream at one of ids: after it, a
// duplicate that link could send would already be on the stream.
func waitFollowed(t *testing.T, channel string, ids ...string) {
	t.Helper()
	l := findLogLine(t, "StreamFunction", func(l map[string]any) bool {
		id, _ := l["last_id"].(string)
		return l["message"] == "stream held" && l["channel"] == channel && l["next"] == true && slices.Contains(ids, id)
	})
	if l == nil {
		t.Fatalf("the proxy did not follow the next link of %s at %v within 5s", channel, ids)
	}
}

// A plain stream cut by its client and opened again with ?last_id= gets
// what was published meanwhile, then live messages: each exactly once, in
// order. The client counts lines to know its id (a fresh channel's ids
// start at 1).
func TestStreamResumePlain(t *testing.T) {
	needs(t, "StreamFunction", "PublishFunction")
	stack(t)
	ctx := testContext(t, time.Minute)
	channel := uniqueChannel("resume-plain")

	first, cut := context.WithCancel(ctx)
	s := openStreamURL(t, first, streamURL(t, channel), nil)
	expectLines(t, s, "streaming "+channel)
	expectLines(t, s, publishTexts(t, ctx, channel, "m1", "m2", "m3")...)
	cut()

	publishTexts(t, ctx, channel, "m4", "m5 ✓", "m6")
	s = openStreamURL(t, ctx, streamURL(t, channel, "last_id", "3"), nil)
	expectLines(t, s, "streaming "+channel, "m4", "m5 ✓", "m6")
	expectLines(t, s, publishTexts(t, ctx, channel, "m7")...)
	// The proxy checks the new stream through its next link once it is
	// subscribed; after that check, the next line is the next message.
	waitFollowed(t, channel, "7")
	expectLines(t, s, publishTexts(t, ctx, channel, "m8")...)
}

// missed appends texts to channel's history without publishing them: the
// messages a proxy never got (a dropped publish, a restarted proxy).
func missed(t *testing.T, ctx context.Context, channel string, texts ...string) {
	t.Helper()
	store, err := history.NewDirStore(sharedHistory)
	if err != nil {
		t.Fatal(err)
	}
	var data [][]byte
	for _, s := range texts {
		data = append(data, []byte(s))
	}
	if _, err := store.Append(ctx, channel, data...); err != nil {
		t.Fatal(err)
	}
}

// Messages the proxy never got are recovered by the proxy itself: the
// next published item does not follow the stream's prev-id, so Pushpin
// drops it and follows the stream's next link, which sends the missed
// messages and that item, once, in order. And a message that reaches the
// history between the function's read and Pushpin's hold arrives without
// any later publish: the proxy follows a new stream's link a second after
// it opens. (Pushpin does as much by itself for a channel's first stream,
// a second after it subscribes, so the test holds a second stream.)
func TestStreamResumeRecoversWhatTheProxyMissed(t *testing.T) {
	needs(t, "StreamFunction", "PublishFunction")
	stack(t)
	ctx := testContext(t, time.Minute)
	for _, tc := range []struct {
		name   string
		header http.Header
		line   func(text string) string // the last line a message makes
	}{
		{"plain", nil, func(s string) string { return s }},
		{"SSE", http.Header{"Accept": {"text/event-stream"}}, func(s string) string { return "data: " + s }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			channel := uniqueChannel("recover")
			publishTexts(t, ctx, channel, "m1")
			openStreamURL(t, ctx, streamURL(t, channel), tc.header)
			waitFollowed(t, channel, "1") // Pushpin's check of its new subscription

			s := openStreamURL(t, ctx, streamURL(t, channel), tc.header)
			for !strings.Contains(s.next(), "streaming "+channel) { // its opening line: it holds
			}
			missed(t, ctx, channel, "m2")
			expectMessages(t, s, tc.line, "m2")

			// A publish Pushpin missed, then one it gets.
			missed(t, ctx, channel, "m3", "m4")
			publishTexts(t, ctx, channel, "m5")
			expectMessages(t, s, tc.line, "m3", "m4", "m5")
			waitFollowed(t, channel, "2")
			expectMessages(t, s, tc.line, publishTexts(t, ctx, channel, "m6")...)
		})
	}
}

// expectMessages reads texts from s in order, skipping the other lines of
// each (the opening line, SSE's id and event lines), failing on any other
// message.
func expectMessages(t *testing.T, s *streamClient, line func(string) string, texts ...string) {
	t.Helper()
	for _, w := range texts {
		for {
			got := s.next()
			if got == line(w) {
				break
			}
			if strings.HasPrefix(got, line("m")) {
				t.Fatalf("got %q, want %q", got, line(w))
			}
		}
	}
}

// A client whose id is older than the history keeps is told so, in the
// opening line of a plain stream and in a gap event on SSE, then gets what
// is kept; a replay longer than its bound reaches the client in full, in
// order, the proxy following the link for the rest at once.
func TestStreamResumeOlderThanRetentionAndBounded(t *testing.T) {
	needs(t, "StreamFunction", "PublishFunction")
	stack(t)
	ctx := testContext(t, time.Minute)
	channel := uniqueChannel("resume-old")
	// The local history keeps a channel's newest 1000 entries, dropping the
	// older ones once it holds 1250: 1251 messages leave 252 to 1251.
	texts := publishTexts(t, ctx, channel, numbered(1251, "")...)
	gap := "messages after 1 are no longer kept: the stream goes on from the oldest kept"

	plain := openStreamURL(t, ctx, streamURL(t, channel, "last_id", "1"), nil)
	expectLines(t, plain, "streaming "+channel+" ("+gap+")", "r252 ")
	sse := openStreamURL(t, ctx, streamURL(t, channel, "last_id", "1"), http.Header{"Accept": {"text/event-stream"}})
	expectLines(t, sse, "id: 1", "event: open", "data: streaming "+channel,
		"event: gap", `data: {"code":"history-gap","text":"`+gap+`"}`, "id: 252", "event: message", "data: r252 ")

	// 150 behind: 100 in the first answer, 50 through the link.
	s := openStreamURL(t, ctx, streamURL(t, channel, "last_id", "1101"), nil)
	expectLines(t, s, "streaming "+channel)
	expectLines(t, s, texts[1101:]...)
	expectLines(t, s, publishTexts(t, ctx, channel, "live")...)
}

// Pushpin restarted: its streams end, and a plain client reconnecting with
// the id it counted gets what came meanwhile, then live messages, once.
func TestStreamResumeAfterPushpinRestart(t *testing.T) {
	needs(t, "StreamFunction", "PublishFunction")
	st := stack(t)
	ctx := testContext(t, time.Minute)
	channel := uniqueChannel("resume-restart")

	s := openStreamURL(t, ctx, streamURL(t, channel), nil)
	expectLines(t, s, "streaming "+channel)
	expectLines(t, s, publishTexts(t, ctx, channel, "m1", "m2")...)
	if err := st.StopPushpin(0); err != nil {
		t.Fatal(err)
	}
	// While Pushpin is down a publish reaches the history only.
	missed(t, ctx, channel, "m3")
	if err := st.StartPushpin(ctx, 0); err != nil {
		t.Fatal(err)
	}
	s = openStreamURL(t, ctx, streamURL(t, channel, "last_id", "2"), nil)
	expectLines(t, s, "streaming "+channel, "m3")
	publishTexts(t, ctx, channel, "m4")
	got, ok := s.tryNext()
	if !ok {
		// The restarted Pushpin may cancel a stream it just accepted
		// ("received message out of sequence"): the client resumes from
		// the last id it has, as any client does when its stream ends.
		t.Log("the stream ended after the restart: resuming from id 3")
		s = openStreamURL(t, ctx, streamURL(t, channel, "last_id", "3"), nil)
		expectLines(t, s, "streaming "+channel)
		got = s.next()
	} else {
		waitFollowed(t, channel, "3", "4")
	}
	if got != "m4" {
		t.Fatalf("got %q, want m4", got)
	}
	expectLines(t, s, publishTexts(t, ctx, channel, "m5")...)
}

// A replay of about 250 KB, past the 100,000 bytes Pushpin reads of an
// instructing response before it sends the response itself and holds
// after it (proxysession.cpp), reaches the client whole, then live ones.
func TestStreamResumeLargeReplay(t *testing.T) {
	needs(t, "StreamFunction", "PublishFunction")
	stack(t)
	ctx := testContext(t, time.Minute)
	channel := uniqueChannel("resume-large")
	texts := publishTexts(t, ctx, channel, numbered(100, strings.Repeat("x", 2500))...)
	s := openStreamURL(t, ctx, streamURL(t, channel, "last_id", "0"), nil)
	expectLines(t, s, "streaming "+channel)
	expectLines(t, s, texts...)
	expectLines(t, s, publishTexts(t, ctx, channel, "live")...)
	waitFollowed(t, channel, "100", "101")
	expectLines(t, s, publishTexts(t, ctx, channel, "live 2")...)
}
