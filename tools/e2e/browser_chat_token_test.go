package e2e

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserChatWithToken opens /chat?access_token=<token> on the token
// stack in a headless Chromium, under the page's own policy: the page
// connects with the token, greets and names the user as the token does,
// and takes the token out of the address bar and out of the document.
func TestBrowserChatWithToken(t *testing.T) {
	needs(t, "ChatFunction")
	s, iss := tokenStack(t)
	chromium := findChromium(t)
	ctx := testContext(t, 60*time.Second)

	token := iss.RS256(t, iss.claims("chat"))
	page := s.ProxyURL() + "/chat?lang=en&access_token=" + url.QueryEscape(token)
	tab, cancel := chromedp.NewContext(startChromium(t, ctx, chromium))
	t.Cleanup(cancel)
	resp, err := chromedp.RunResponse(tab, chromedp.Navigate(page))
	if err != nil {
		t.Fatalf("opening the page: %v", err)
	}
	if csp, _ := resp.Headers["Content-Security-Policy"].(string); !strings.Contains(csp, "default-src 'none'") {
		t.Errorf("Content-Security-Policy %q", csp)
	}
	if err := chromedp.Do(tab,
		chromedp.WaitVisible(chromedp.CSS("#status.online")),
		waitForNotice("welcome! you are Alice"),
		say("hello with a token"),
		waitForLine("Alice: hello with a token"),
	); err != nil {
		t.Fatalf("chatting: %v", err)
	}
	checkPolicyEnforced(t, tab)

	// The address bar keeps the other parameters, not the token; nothing
	// the page shows holds it.
	search, err := chromedp.Run(tab, chromedp.Evaluate[string](`location.search`))
	if err != nil || search != "?lang=en" {
		t.Errorf("location.search %q (%v), want ?lang=en", search, err)
	}
	quoted, _ := json.Marshal(token)
	shown, err := chromedp.Run(tab, chromedp.Evaluate[bool](`document.documentElement.outerHTML.includes(`+string(quoted)+`)`))
	if err != nil || shown {
		t.Errorf("the document holds the token (%v, %v)", shown, err)
	}
}
