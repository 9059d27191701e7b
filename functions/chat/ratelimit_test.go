package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/faas-grip/faas-grip-go/internal/grip"
)

// Every message is an invocation plus a fan-out to everyone, so
// each connection gets a token bucket kept in its meta.
func TestChatRateLimitPerConnection(t *testing.T) {
	h, pub := newHandler(t, map[string]string{"GRIP_URL": testGripURL})
	clock := &fakeClock{now: time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)}
	h.Now = clock.Now
	meta := map[string]string{"Nick": "alice"}

	// send delivers texts in one request, carries the bound meta over as
	// Pushpin would, and returns what was broadcast and what the sender heard.
	send := func(texts ...string) (broadcast int, notices []frame) {
		t.Helper()
		before := len(publishedFrames(t, pub))
		resp, err := h.Handle(t.Context(), wohRequest(t, meta, texts...))
		if err != nil || resp.Status != 200 {
			t.Fatalf("status %v, err %v", resp, err)
		}
		for k, v := range resp.Header {
			if name, ok := strings.CutPrefix(k, "Set-Meta-"); ok {
				meta[name] = v[0]
			}
		}
		for _, f := range decodeFrames(t, resp.Body) {
			notices = append(notices, f)
		}
		return len(publishedFrames(t, pub)) - before, notices
	}
	batch := func(n int) []string {
		var texts []string
		for i := range n {
			texts = append(texts, fmt.Sprintf("message %d", i))
		}
		return texts
	}

	// A batch counts each message: the burst of 20 goes, the rest do not,
	// and the sender hears it once.
	n, notices := send(batch(25)...)
	if n != defaultBurst {
		t.Errorf("a batch of 25 broadcast %d messages, want the burst of %d", n, defaultBurst)
	}
	if len(notices) != 1 || notices[0].Type != frameNotice || notices[0].Code != noticeRateLimited ||
		!strings.Contains(notices[0].Text, "10 messages a second") {
		t.Errorf("notices %+v, want one rate-limited notice naming the limit", notices)
	}

	// Still over the limit: dropped, and no second notice.
	clock.advance(50 * time.Millisecond)
	if n, notices := send("more", "and more"); n != 0 || len(notices) != 0 {
		t.Errorf("over the limit again: broadcast %d, notices %+v; want nothing and no new notice", n, notices)
	}

	// The bucket refills with time: one second is 10 messages.
	clock.advance(time.Second)
	if n, notices := send(batch(10)...); n != 10 || len(notices) != 0 {
		t.Errorf("after 1s: broadcast %d, notices %+v; want 10 and none", n, notices)
	}
	// Accepted messages reset the notice: the next overflow is told again.
	if n, notices := send("one too many"); n != 0 || len(notices) != 1 {
		t.Errorf("overflow after a refill: broadcast %d, notices %d; want 0 and 1", n, len(notices))
	}

	// A long pause refills to the burst, not beyond.
	clock.advance(24 * time.Hour)
	if n, _ := send(batch(30)...); n != defaultBurst {
		t.Errorf("after a day: broadcast %d, want %d", n, defaultBurst)
	}
}

// Limits come from the environment; a connection's bucket follows them.
func TestChatRateLimitConfigured(t *testing.T) {
	h, pub := newHandler(t, map[string]string{"GRIP_URL": testGripURL})
	h.Limits = Limits{MessagesPerSecond: 1, Burst: 2}
	resp, _ := h.Handle(t.Context(), wohRequest(t, nil, "a", "b", "c"))
	if got := len(publishedFrames(t, pub)); got != 2 {
		t.Errorf("burst 2: broadcast %d", got)
	}
	if f := decodeFrames(t, resp.Body); len(f) != 1 || !strings.Contains(f[0].Text, "1 message a second, bursts of 2") {
		t.Errorf("notice %+v, want it to name the configured limit", f)
	}
}

// Meta arrives only with a valid Grip-Sig, but is parsed defensively: no
// value that can reach it panics or lifts the limit. A value that does not
// decode is an empty bucket (see bucketFromMeta for why not a full one).
func TestChatRateMetaIsParsedDefensively(t *testing.T) {
	now := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	ms := func(t time.Time) string { return fmt.Sprint(t.UnixMilli()) }
	tests := []struct {
		meta      string
		broadcast int
	}{
		{"", defaultBurst}, // never limited yet: a full bucket
		{"5000," + ms(now) + ",0", 5},
		{"5000," + ms(now.Add(-time.Second)) + ",0", 15},  // refilled by 10
		{"5000," + ms(now.Add(10*time.Second)) + ",0", 5}, // another clock a little ahead: no refill
		{"999999999999999999," + ms(now) + ",0", defaultBurst},
		{"0,0,1", defaultBurst}, // 1970: refilled to the burst, no further
		{"garbage", 0},
		{"5000," + ms(now) + ",maybe", 0},
		{"-5000," + ms(now) + ",0", 0},
		{"5000,-1,0", 0},
		{"5000," + ms(now.Add(time.Hour)) + ",0", 0}, // far future: not a clock skew
		{"99999999999999999999999," + ms(now) + ",0", 0},
		{"5000,99999999999999999999999,0", 0},
		{",,", 0},
		{"1000,2000", 0},
		{"1000,2000,0,extra", 0},
		{"\xff\xfe", 0},
		{strings.Repeat("9", 10000), 0},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%.40q", tc.meta), func(t *testing.T) {
			h, pub := newHandler(t, map[string]string{"GRIP_URL": testGripURL})
			h.Now = func() time.Time { return now }
			texts := make([]string, 25)
			for i := range texts {
				texts[i] = "hi"
			}
			var meta map[string]string
			if tc.meta != "" {
				meta = map[string]string{rateMeta: tc.meta}
			}
			resp, err := h.Handle(t.Context(), wohRequest(t, meta, texts...))
			if err != nil || resp.Status != 200 {
				t.Fatalf("status %v, err %v", resp, err)
			}
			if got := len(publishedFrames(t, pub)); got != tc.broadcast {
				t.Errorf("broadcast %d of 25, want %d", got, tc.broadcast)
			}
			if resp.Header.Get("Set-Meta-"+rateMeta) == "" {
				t.Error("the bucket was not bound for the next request")
			}
		})
	}
}

// Finding 2 also bounds a message's size: a large one is not broadcast and
// the sender is told the limit.
func TestChatMaxMessageSize(t *testing.T) {
	h, pub := newHandler(t, map[string]string{"GRIP_URL": testGripURL})
	atLimit := strings.Repeat("é", defaultMaxMessageBytes/2) // 2 bytes each
	resp, _ := h.Handle(t.Context(), wohRequest(t, nil, atLimit, atLimit+"x"))
	if got := publishedFrames(t, pub); len(got) != 1 || got[0].Text != atLimit {
		t.Errorf("broadcast %d messages, want only the one of exactly %d bytes", len(got), defaultMaxMessageBytes)
	}
	notices := decodeFrames(t, resp.Body)
	if len(notices) != 1 || notices[0].Code != noticeTooLarge || !strings.Contains(notices[0].Text, "4096 bytes") {
		t.Errorf("notices %+v, want one too-large notice saying 4096 bytes", notices)
	}
}

func TestLoadConfig(t *testing.T) {
	env := func(vars map[string]string) func(string) string {
		return func(k string) string { return vars[k] }
	}
	c, err := loadConfig(env(nil), grip.Config{})
	want := config{Channel: "chat", Limits: Limits{MessagesPerSecond: 10, Burst: 20, MaxMessageBytes: 4096}, History: true}
	if err != nil || c != want {
		t.Errorf("defaults: %+v, %v; want %+v", c, err, want)
	}
	c, err = loadConfig(env(map[string]string{"CHAT_CHANNEL": "room", "CHAT_RATE": "2.5", "CHAT_BURST": "5", "CHAT_MAX_MESSAGE_BYTES": "100", "CHAT_HISTORY": "off"}), grip.Config{})
	want = config{Channel: "room", Limits: Limits{MessagesPerSecond: 2.5, Burst: 5, MaxMessageBytes: 100}}
	if err != nil || c != want {
		t.Errorf("set: %+v, %v; want %+v", c, err, want)
	}
	for _, bad := range []map[string]string{
		{"CHAT_RATE": "0"}, {"CHAT_RATE": "-1"}, {"CHAT_RATE": "fast"}, {"CHAT_RATE": "NaN"}, {"CHAT_RATE": "Inf"},
		{"CHAT_BURST": "0"}, {"CHAT_BURST": "1.5"}, {"CHAT_BURST": "99999999999"},
		{"CHAT_MAX_MESSAGE_BYTES": "-4"}, {"CHAT_MAX_MESSAGE_BYTES": "4k"},
		{"CHAT_HISTORY": "yes"}, {"CHAT_HISTORY": "On"},
		{"CHAT_CHANNEL": "ro\u202eom"}, {"CHAT_CHANNEL": "zero\u200bwidth"}, {"CHAT_CHANNEL": "bell\a"},
	} {
		if _, err := loadConfig(env(bad), grip.Config{}); err == nil {
			t.Errorf("%v: no error; a bad limit must fail the cold start", bad)
		}
	}
}

// CHAT_CHANNEL is checked as the proxy sees it, with GRIP_PREFIX.
func TestLoadConfigCountsThePrefix(t *testing.T) {
	env := func(k string) string { return map[string]string{"CHAT_CHANNEL": strings.Repeat("c", 254)}[k] }
	if _, err := loadConfig(env, grip.Config{}); err != nil {
		t.Fatalf("254 bytes without a prefix: %v", err)
	}
	if _, err := loadConfig(env, grip.Config{Prefix: "pfx-"}); err == nil || !strings.Contains(err.Error(), "CHAT_CHANNEL") {
		t.Errorf("254 bytes after pfx-: %v, want the cold start to fail naming CHAT_CHANNEL", err)
	}
}

// A Handler built without Limits (a fork, a test) is limited all the same.
func TestZeroLimitsAreTheDefaults(t *testing.T) {
	h := &Handler{}
	if got := h.limits(); got != (Limits{10, 20, 4096}) {
		t.Errorf("zero Limits became %+v", got)
	}
}
