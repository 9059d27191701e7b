package main

import (
	"strings"
	"testing"
	"time"
)

// After its messages, a publish sends one release check per channel that
// got numbered messages, naming the channel's newest id, and only after the
// delay: a check sent at once would come before the polls it must catch.
func TestReleaseChecksFollowTheMessages(t *testing.T) {
	h, pub := newHandler(t)
	h.ReleaseCheckDelay = 150 * time.Millisecond
	start := time.Now()
	resp := h.HandleSQS(t.Context(), sqsEvent(
		"a", `{"channel":"news","text":"x"}`,
		"b", `{"channel":"sports","text":"y"}`,
		"c", `{"channel":"news","text":"z"}`,
		"d", `{"channel":"raw","formats":{"http-stream":{"content":"r"}}}`))
	if took := time.Since(start); took < h.ReleaseCheckDelay {
		t.Errorf("returned after %v, before the checks' delay", took)
	}
	if got := failures(resp); len(got) != 0 {
		t.Fatalf("failures %v", got)
	}
	calls := itemJSON(t, pub.Calls)
	if len(calls) != 2 {
		t.Fatalf("%d publish calls, want the messages then the checks: %v", len(calls), calls)
	}
	want := []string{
		`{"channel":"news.lpcheck","meta":{"sender":"2"},"no-seq":true,"formats":{"http-response":{"action":"hint"}}}`,
		`{"channel":"sports.lpcheck","meta":{"sender":"1"},"no-seq":true,"formats":{"http-response":{"action":"hint"}}}`,
	}
	if got := strings.Join(calls[1], "\n"); got != strings.Join(want, "\n") {
		t.Errorf("checks:\n%s\nwant:\n%s", got, strings.Join(want, "\n"))
	}
}

// Messages without history ids (raw formats, or no history) need no check,
// and a delay of 0 turns them off.
func TestNoReleaseCheckWithoutIDs(t *testing.T) {
	for name, setup := range map[string]func(*Handler){
		"raw formats only": func(*Handler) {},
		"no history":       func(h *Handler) { h.History = nil },
		"turned off":       func(h *Handler) { h.ReleaseCheckDelay = 0 },
	} {
		t.Run(name, func(t *testing.T) {
			h, pub := newHandler(t)
			h.ReleaseCheckDelay = time.Millisecond
			setup(h)
			body := `{"channel":"news","text":"x"}`
			if name == "raw formats only" {
				body = `{"channel":"news","formats":{"http-stream":{"content":"r"}}}`
			}
			h.HandleSQS(t.Context(), sqsEvent("a", body))
			if len(pub.Calls) != 1 {
				t.Errorf("%d publish calls, want 1 (no check)", len(pub.Calls))
			}
		})
	}
}

func TestReleaseCheckDelayFromTheEnvironment(t *testing.T) {
	for v, want := range map[string]string{"": "400ms", "0": "0s", "250ms": "250ms", "5s": "5s", "30": "error", "-1s": "error", "6s": "error"} {
		d, err := releaseCheckDelay(func(string) string { return v })
		got := d.String()
		if err != nil {
			got = "error"
			if !strings.Contains(err.Error(), "LONGPOLL_RELEASE_CHECK") {
				t.Errorf("%q: error %q does not name the variable", v, err)
			}
		}
		if got != want {
			t.Errorf("LONGPOLL_RELEASE_CHECK=%q: %s, want %s", v, got, want)
		}
	}
}
