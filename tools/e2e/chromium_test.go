package e2e

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"
)

// startChromium starts a headless Chromium for the test (stopped at its
// end) and returns the context to make tabs from: chromedp.NewContext of it
// is the first tab, and of a tab a new tab of the same browser.
func startChromium(t *testing.T, ctx context.Context, chromium string) context.Context {
	t.Helper()
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

	return allocCtx
}
