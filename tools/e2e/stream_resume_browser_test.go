package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// closeStream has Pushpin end the streams held on channel at lastID, as a
// server ends a response: the item follows their prev-id, so it is sent.
func closeStream(t *testing.T, ctx context.Context, channel, lastID string) {
	t.Helper()
	item, _ := json.Marshal(map[string]any{"items": []any{map[string]any{
		"channel": channel, "prev-id": lastID, "formats": map[string]any{"http-stream": map[string]string{"action": "close"}}}}})
	if status, body := postJSON(t, ctx, stack(t).ControlURL()+"/publish/", string(item)); status != http.StatusOK {
		t.Fatalf("closing the stream: %d %s", status, body)
	}
}

// Chromium's own EventSource, its stream ended by the server, reconnects
// by itself sending Last-Event-ID; what was published while it was away
// arrives first, then live messages: each exactly once, in order, ids
// increasing.
func TestStreamResumeBrowserEventSource(t *testing.T) {
	needs(t, "ChatFunction", "StreamFunction", "PublishFunction")
	s := stack(t)
	chromium := findChromium(t)
	ctx := testContext(t, time.Minute)
	tab, cancel := chromedp.NewContext(startChromium(t, ctx, chromium))
	t.Cleanup(cancel)

	// Any page of the stack's origin: EventSource connects to 'self'.
	if _, err := chromedp.RunResponse(tab, chromedp.Navigate(s.ProxyURL()+"/chat")); err != nil {
		t.Fatal(err)
	}
	channel := uniqueChannel("es-resume")
	u, _ := json.Marshal("/stream?channel=" + channel)
	if _, err := chromedp.Run(tab, chromedp.Evaluate[bool](`(() => {
		const es = new EventSource(`+string(u)+`);
		window.r = {es, opened: 0, connects: 0, got: [], ids: []};
		es.addEventListener("open", e => { if (e.data) window.r.opened++; else window.r.connects++; });
		es.addEventListener("message", e => { window.r.got.push(e.data); window.r.ids.push(Number(e.lastEventId)); });
		return true;
	})()`)); err != nil {
		t.Fatal(err)
	}
	poll := func(expr string) {
		t.Helper()
		if _, err := chromedp.Run(tab, chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(10*time.Second))); err != nil {
			t.Fatalf("waiting for %s: %v", expr, err)
		}
	}
	poll(`window.r.opened === 1`)
	publishTexts(t, ctx, channel, "m1", "m2")
	poll(`window.r.got.length === 2`)

	closeStream(t, ctx, channel+".sse", "2")
	poll(`window.r.es.readyState === EventSource.CONNECTING`)
	publishTexts(t, ctx, channel, "m3", "m4") // while it waits to reconnect
	start := time.Now()
	poll(`window.r.opened === 2`)
	t.Logf("EventSource reconnected in %v", time.Since(start))
	publishTexts(t, ctx, channel, "m5")
	poll(`window.r.got.length >= 5`)
	// The proxy's check of the reopened stream: after it, the next message
	// is the next one.
	waitFollowed(t, channel, "4", "5")
	publishTexts(t, ctx, channel, "m6")
	poll(`window.r.got.length >= 6`)

	got, err := chromedp.Run(tab, chromedp.Evaluate[string](`JSON.stringify([window.r.got, window.r.ids, window.r.connects])`))
	if err != nil {
		t.Fatal(err)
	}
	if want := `[["m1","m2","m3","m4","m5","m6"],[1,2,3,4,5,6],2]`; got != want {
		t.Errorf("got %s, want %s (messages, ids, connections)", got, want)
	}
	// The reopened stream started with m3 and m4 from the history, after
	// the Last-Event-ID EventSource sent.
	if l := findLogLine(t, "StreamFunction", func(l map[string]any) bool {
		return l["channel"] == channel && l["next"] == false && l["last_id"] == "2" && l["replayed"] == float64(2)
	}); l == nil {
		t.Error("no replay of 2 messages after Last-Event-ID 2 in the stream function's log")
	}
}
