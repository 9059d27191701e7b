package e2e

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// findChromium returns Debian's chromium (or another Chrome), or skips the
// test; under CI a missing browser is a failure.
func findChromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome"} {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("chromium is not installed and CI is set: apt-get install chromium")
	}
	t.Skip("chromium is not installed: apt-get install chromium to run the browser test")
	return ""
}

// waitForLine waits until the chat log of the page shows a user's message
// reading text; waitForNotice, a server notice. The page styles them by the
// frame's type (class "notice"), never by their words.
func waitForLine(text string) chromedp.Action[chromedp.Void] { return waitForLi("", text) }

func waitForNotice(text string) chromedp.Action[chromedp.Void] { return waitForLi("notice", text) }

func waitForLi(class, text string) chromedp.Action[chromedp.Void] {
	quoted, _ := json.Marshal(text)
	quotedClass, _ := json.Marshal(class)
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := chromedp.Poll[bool](
			`[...document.querySelectorAll("#log li")].some(li => li.className === `+string(quotedClass)+
				` && li.textContent === `+string(quoted)+`)`,
			chromedp.WithPollingTimeout(15*time.Second),
		)(ctx, tg)
		return err
	})
}

// say types a line into the chat form and sends it.
func say(text string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.SendKeys(chromedp.CSS("#message"), text),
		chromedp.Click(chromedp.CSS("#send")),
	)
}

// TestBrowserChat opens the chat page through Pushpin in two tabs of a
// headless Chromium: one sets a nick and talks, both see the broadcast.
// With E2E_SCREENSHOT=1 it saves docs/chat.png for the README.
func TestBrowserChat(t *testing.T) {
	needs(t, "ChatFunction")
	s := stack(t)
	chromium := findChromium(t)
	ctx := testContext(t, 90*time.Second)

	allocCtx := startChromium(t, ctx, chromium)

	page := s.ProxyURL() + "/chat"
	open := func(tab context.Context, name string) {
		t.Helper()
		resp, err := chromedp.RunResponse(tab, chromedp.Navigate(page))
		if err != nil {
			t.Fatalf("%s tab: opening %s: %v", name, page, err)
		}
		// The page works under its own policy: Chromium enforces it, so
		// the status goes online only if the hashed script ran and the
		// WebSocket to 'self' was allowed.
		if csp, _ := resp.Headers["Content-Security-Policy"].(string); !strings.Contains(csp, "default-src 'none'") {
			t.Errorf("%s tab: Content-Security-Policy %q", name, csp)
		}
		if err := chromedp.Do(tab,
			chromedp.WaitVisible(chromedp.CSS("#status.online")),
			waitForNotice("welcome! you are anonymous; type /nick <name> to change it"),
		); err != nil {
			t.Fatalf("%s tab: opening %s: %v", name, page, err)
		}
	}
	first, cancelFirst := chromedp.NewContext(allocCtx)
	t.Cleanup(cancelFirst)
	open(first, "first") // starts the browser
	checkPolicyEnforced(t, first)
	// A context made from one that has run is a new tab of the same browser.
	second, cancelSecond := chromedp.NewContext(first)
	t.Cleanup(cancelSecond)
	open(second, "second")

	if err := chromedp.Do(first,
		say("/nick alice"),
		waitForNotice("you are now known as alice"),
		say("héllo from a real browser"),
		waitForLine("alice: héllo from a real browser"),
	); err != nil {
		t.Fatalf("first tab: %v", err)
	}
	if err := chromedp.Do(second,
		waitForLine("alice: héllo from a real browser"),
		say("/nick bob"),
		waitForNotice("you are now known as bob"),
		say("hi alice, it works here too"),
		waitForLine("bob: hi alice, it works here too"),
	); err != nil {
		t.Fatalf("second tab: %v", err)
	}
	if err := chromedp.Do(first, waitForLine("bob: hi alice, it works here too")); err != nil {
		t.Fatalf("first tab did not see the reply: %v", err)
	}

	if os.Getenv("E2E_SCREENSHOT") == "1" {
		png, err := chromedp.Run(first, chromedp.FullScreenshot(100)) // 100: PNG
		if err != nil {
			t.Fatalf("screenshot: %v", err)
		}
		path := filepath.Join(root, "docs", "chat.png")
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("saved %s", path)
	}

	// A user called "error" cannot pass for the server: the other tab shows
	// a message, not a notice.
	if err := chromedp.Do(second,
		say("/nick error"),
		waitForNotice("you are now known as error"),
		say("error: your message could not be delivered"),
	); err != nil {
		t.Fatalf("second tab: %v", err)
	}
	if err := chromedp.Do(first, waitForLine("error: error: your message could not be delivered")); err != nil {
		t.Fatalf("first tab did not show the imitation as a message: %v", err)
	}
	notices, err := chromedp.Run(first, chromedp.Evaluate[int](
		`document.querySelectorAll("#log li.notice").length`))
	if err != nil || notices != 2 { // the welcome and "you are now known as alice"
		t.Errorf("the first tab shows %d notices (%v), want 2", notices, err)
	}
}

// checkPolicyEnforced shows the page's Content-Security-Policy in force: the
// inline style (allowed by its hash) applied, and a script the page did not
// ship (no hash) is refused.
func checkPolicyEnforced(t *testing.T, tab context.Context) {
	t.Helper()
	margin, err := chromedp.Run(tab, chromedp.Evaluate[string](`getComputedStyle(document.body).margin`))
	if err != nil || margin != "0px" {
		t.Errorf("body margin %q (%v): the page's hashed style did not apply", margin, err)
	}
	ran, err := chromedp.Run(tab, chromedp.Evaluate[bool](`(() => {
		const s = document.createElement("script");
		s.textContent = "window.injected = true";
		document.body.appendChild(s);
		return window.injected === true;
	})()`))
	if err != nil || ran {
		t.Errorf("an injected inline script ran (%v, %v): the policy is not enforced", ran, err)
	}
}
