package e2e

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// A browser's EventSource cannot set headers: its token travels as
// access_token in the query (RFC 6750 §2.3). Through a real Pushpin with
// tokens on, Chromium's EventSource is served with a granting token and
// refused without one (EventSource then gives up: readyState CLOSED).
func TestBrowserEventSourceWithAToken(t *testing.T) {
	needs(t, "ChatFunction", "StreamFunction", "PublishFunction")
	s, iss := tokenStack(t)
	chromium := findChromium(t)
	ctx := testContext(t, 90*time.Second)
	tab, cancel := chromedp.NewContext(startChromium(t, ctx, chromium))
	t.Cleanup(cancel)

	// Any page of the stack's origin: EventSource connects to 'self'.
	if _, err := chromedp.RunResponse(tab, chromedp.Navigate(s.ProxyURL()+"/chat")); err != nil {
		t.Fatal(err)
	}
	channel := uniqueChannel("es")
	token := iss.ES256(t, iss.claims(channel))
	open := func(name, query string) {
		t.Helper()
		u, _ := json.Marshal("/stream?channel=" + channel + query)
		if _, err := chromedp.Run(tab, chromedp.Evaluate[bool](`(() => {
			const es = new EventSource(`+string(u)+`);
			window.`+name+` = {es, opened: "", got: [], failed: false};
			es.addEventListener("open", e => { if (e.data) window.`+name+`.opened = e.data; });
			es.addEventListener("message", e => window.`+name+`.got.push(e.data));
			es.onerror = () => { window.`+name+`.failed = es.readyState === EventSource.CLOSED; };
			return true;
		})()`)); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	poll := func(expr string) {
		t.Helper()
		if _, err := chromedp.Run(tab, chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(15*time.Second))); err != nil {
			t.Fatalf("waiting for %s: %v", expr, err)
		}
	}

	open("granted", "&access_token="+token)
	open("anonymous", "")
	poll(`window.granted.opened === "streaming ` + channel + `"`)
	poll(`window.anonymous.failed`)
	publishVia(t, ctx, s, text(channel, "to the browser"))
	poll(`window.granted.got.includes("to the browser")`)
	got, err := chromedp.Run(tab, chromedp.Evaluate[string](`JSON.stringify(window.anonymous.got)`))
	if err != nil || got != "[]" {
		t.Errorf("the refused EventSource received %s (%v)", got, err)
	}
	if strings.Contains(got, token) {
		t.Error("the token reached the page")
	}
	checkNotLogged(t, token)
}
