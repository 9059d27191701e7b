package e2e

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
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

// waitForLine waits until the chat log of the page shows text.
func waitForLine(text string) chromedp.Action[chromedp.Void] {
	quoted, _ := json.Marshal(text)
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := chromedp.Poll[bool](
			`[...document.querySelectorAll("#log li")].some(li => li.textContent === `+string(quoted)+`)`,
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
	s := stack(t)
	chromium := findChromium(t)
	ctx := testContext(t, 90*time.Second)

	out := newLogBuffer()
	home := t.TempDir()
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(chromium),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(filepath.Join(home, "profile")),
		// Chromium leaves a dir in TMPDIR per run: keep it in ours.
		chromedp.Env("TMPDIR="+home),
		chromedp.WindowSize(820, 640),
		chromedp.CombinedOutput(out),
	)
	// Cancelling waits for the browser and its helpers to exit.
	t.Cleanup(cancelAlloc)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("chromium output:\n%s", out.tail(16<<10))
		}
	})

	page := s.ProxyURL() + "/chat"
	open := func(tab context.Context, name string) {
		t.Helper()
		if err := chromedp.Do(tab,
			chromedp.Navigate(page),
			chromedp.WaitVisible(chromedp.CSS("#status.online")),
			waitForLine("welcome! you are anonymous; type /nick <name> to change it"),
		); err != nil {
			t.Fatalf("%s tab: opening %s: %v", name, page, err)
		}
	}
	first, cancelFirst := chromedp.NewContext(allocCtx)
	t.Cleanup(cancelFirst)
	open(first, "first") // starts the browser
	// A context made from one that has run is a new tab of the same browser.
	second, cancelSecond := chromedp.NewContext(first)
	t.Cleanup(cancelSecond)
	open(second, "second")

	if err := chromedp.Do(first,
		say("/nick alice"),
		waitForLine("you are now known as alice"),
		say("héllo from a real browser"),
		waitForLine("alice: héllo from a real browser"),
	); err != nil {
		t.Fatalf("first tab: %v", err)
	}
	if err := chromedp.Do(second,
		waitForLine("alice: héllo from a real browser"),
		say("/nick bob"),
		waitForLine("you are now known as bob"),
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
		path := filepath.Join("..", "docs", "chat.png")
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("saved %s", path)
	}
}
