package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/faas-grip/faas-grip-go/internal/history"
)

// TestDevLoopServesAnEditedHandler runs `make dev` on a copy of the module,
// holds a stream through its Pushpin and edits the stream function's
// opening line: a broken edit is reported with the compiler's error while
// the old build keeps serving; a good one is rebuilt and the next request
// gets the new line; and the stream held all along is still open and gets
// a publish, so Pushpin was not restarted.
func TestDevLoopServesAnEditedHandler(t *testing.T) {
	needs(t, "StreamFunction")
	stack(t) // skips with the others when pushpin is missing
	ctx := testContext(t, 2*time.Minute)

	dir := copyModule(t)
	handler := filepath.Join(dir, "functions", "stream", "handler.go")
	src, err := os.ReadFile(handler)
	if err != nil {
		t.Fatal(err)
	}
	const before, after = `"streaming "`, `"streaming, edited, "`
	if !strings.Contains(string(src), before) {
		t.Fatalf("functions/stream/handler.go no longer has %s, the text this test edits: update the test", before)
	}

	start := time.Now()
	dev := startDev(t, ctx, dir)
	t.Logf("make dev up in %v", time.Since(start).Round(time.Millisecond))
	if !strings.Contains(dev.banner, "watching ") {
		t.Fatalf("make dev did not say it watches for changes:\n%s", dev.banner)
	}
	channel := uniqueChannel("devloop")
	held := openStreamURL(t, ctx, dev.proxy+"/stream?channel="+channel, nil)
	if got := held.next(); got != "streaming "+channel {
		t.Fatalf("stream opened with %q", got)
	}
	// A first publish read: from here on the stream helper reports the
	// stream's end instead of opening it again (see openStreamURL).
	publishStream(t, ctx, dev, channel, "before the edit")
	if got := held.next(); got != "before the edit" {
		t.Fatalf("held stream: %q", got)
	}

	// A broken edit: the compiler's error, and the old build serves on.
	writeSource(t, handler, string(src)+"\nfunc broken() { return 1 }\n")
	line := waitDevLine(t, dev, "StreamFunction did not build (functions/stream/handler.go changed); the previous build keeps serving:")
	if !strings.Contains(line, "handler.go") {
		t.Errorf("the failure lacks the compiler's error: %q", line)
	}
	if got := firstLine(t, ctx, dev.proxy, channel); got != "streaming "+channel {
		t.Errorf("after a broken edit, a new stream opened with %q: want the old build's line", got)
	}

	edited := time.Now()
	writeSource(t, handler, strings.ReplaceAll(string(src), before, after))
	line = waitDevLine(t, dev, "rebuilt StreamFunction in ")
	rebuilt := time.Since(edited)
	if !strings.HasSuffix(line, "(functions/stream/handler.go changed)") {
		t.Errorf("rebuilt line %q does not name the changed file", line)
	}
	if got := firstLine(t, ctx, dev.proxy, channel); got != "streaming, edited, "+channel {
		t.Fatalf("the request after %q opened with %q: not the new code", line, got)
	}
	t.Logf("edit to rebuilt line %v, to the new code served %v (%s)",
		rebuilt.Round(time.Millisecond), time.Since(edited).Round(time.Millisecond), line)
	// What the watcher adds to the build it reports: the notification, the
	// debounce, the print. A polling watcher or a go list before the build
	// would show here, on a fast machine or a slow one.
	var took float64
	if _, err := fmt.Sscanf(strings.TrimPrefix(line, "rebuilt StreamFunction in "), "%gs", &took); err != nil {
		t.Fatalf("rebuilt line %q: %v", line, err)
	}
	if over := rebuilt - time.Duration(took*float64(time.Second)); over > 2*time.Second {
		t.Errorf("the rebuilt line came %v after the edit, %v more than the build it reports", rebuilt, over)
	}

	publishStream(t, ctx, dev, channel, "after the rebuild")
	if got := held.next(); got != "after the rebuild" {
		t.Fatalf("the stream held across the rebuild got %q", got)
	}
}

// copyModule copies what the functions' builds read (go.mod, go.sum, the
// Makefile, template.yaml, functions/, internal/) into a temp dir that a
// test may edit.
func copyModule(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, name := range []string{"go.mod", "go.sum", "Makefile", "template.yaml"} {
		b, err := os.ReadFile(filepath.Join(root, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{"functions", "internal"} {
		if err := os.CopyFS(filepath.Join(dir, name), os.DirFS(filepath.Join(root, name))); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// writeSource replaces a source file in one write, as an editor saving.
func writeSource(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// waitDevLine returns the first line of make dev's stdout starting with
// prefix, with the lines that follow it up to the next pause (a failed
// build's compiler output), skipping other lines.
func waitDevLine(t *testing.T, dev *devRun, prefix string) string {
	t.Helper()
	timeout := time.After(60 * time.Second)
	for {
		select {
		case l := <-dev.lines:
			if !strings.HasPrefix(l, prefix) {
				continue
			}
			for {
				select {
				case more := <-dev.lines:
					l += "\n" + more
				case <-time.After(100 * time.Millisecond):
					return l
				}
			}
		case <-dev.p.Done():
			t.Fatalf("make dev exited (%s) while waiting for %q", dev.p.ExitDescription(), prefix)
		case <-timeout:
			t.Fatalf("make dev printed no %q within 60s", prefix)
		}
	}
}

// firstLine opens a stream through Pushpin and returns its opening line.
func firstLine(t *testing.T, ctx context.Context, proxy, channel string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	return openStreamURL(t, ctx, proxy+"/stream?channel="+channel, nil).next()
}

// publishStream publishes one line to a stream channel as the publish
// function does: numbered in make dev's history, then through its
// Pushpin's control API with its id and prev-id. A
// stream is held on its channel's last id: Pushpin drops an item that does
// not follow it and fetches what it missed from the history instead.
func publishStream(t *testing.T, ctx context.Context, dev *devRun, channel, line string) {
	t.Helper()
	store, err := history.NewDirStore(dev.history)
	if err != nil {
		t.Fatal(err)
	}
	entries, err := store.Append(ctx, channel, []byte(line))
	if err != nil {
		t.Fatal(err)
	}
	item := map[string]any{"channel": channel, "id": entries[0].ID, "formats": map[string]any{"http-stream": map[string]string{"content": line + "\n"}}}
	if entries[0].PrevID != "" {
		item["prev-id"] = entries[0].PrevID
	}
	body, _ := json.Marshal(map[string]any{"items": []any{item}})
	if status, resp := postJSON(t, ctx, dev.control+"/publish/", string(body)); status != http.StatusOK {
		t.Fatalf("publish: status %d %s", status, resp)
	}
}
