package samcheck

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestDeleteASample removes the stream sample in a scratch copy of the
// repository (its folder, its template block, its events) and checks that
// nothing else breaks: go vet and every test of the module, end-to-end
// suites included, pass in the copy; what needs the stream sample skips.
func TestDeleteASample(t *testing.T) {
	skipUnlessTopLevel(t)
	dir := scratchCopy(t)

	if err := os.RemoveAll(filepath.Join(dir, "functions", "stream")); err != nil {
		t.Fatal(err)
	}
	samples, _ := filepath.Glob(filepath.Join(dir, "events", "stream-*.json"))
	if len(samples) == 0 {
		t.Fatal("no events/stream-*.json to delete: has the sample been renamed?")
	}
	for _, f := range samples {
		if err := os.Remove(f); err != nil {
			t.Fatal(err)
		}
	}
	removeResource(t, filepath.Join(dir, "template.yaml"), "StreamFunction")

	mustRun(t, dir, 3*time.Minute, "go", "vet", "./...")

	// Every package but the end-to-end suites. Those run while make test runs
	// the real tree's, and the sam local replay listens on the fixed port that
	// events/env.json names: all of them at once would collide (and double
	// the load on a small machine). A few of them prove the point below.
	pkgs := strings.Fields(mustRun(t, dir, time.Minute, "go", "list", "./..."))
	pkgs = slices.DeleteFunc(pkgs, func(p string) bool { return strings.HasSuffix(p, "/tools/e2e") })
	mustRun(t, dir, 8*time.Minute, "go", append([]string{"test", "-count=1"}, pkgs...)...)

	// The stack starts with the functions that are left; a suite that needs
	// the stream sample skips, naming it; the rest run (free ports only).
	out := mustRun(t, dir, 4*time.Minute, "go", "test", "-count=1", "-v",
		"-run", "^(TestStreamPlainAndSSE|TestDirectRequestsNeedGripSig|TestLongpollTimeout)$", "./tools/e2e/")
	if !strings.Contains(out, "StreamFunction is not in template.yaml") {
		t.Errorf("the stream suite did not skip naming StreamFunction:\n%s", out)
	}
	if !strings.Contains(out, "pushpin is not installed") {
		for _, test := range []string{"TestDirectRequestsNeedGripSig", "TestLongpollTimeout"} {
			if !strings.Contains(out, "--- PASS: "+test) {
				t.Errorf("%s did not pass without the stream sample:\n%s", test, out)
			}
		}
	}
}

// removeResource deletes a resource's block from the template: its line
// under Resources: and every more indented line after it.
func removeResource(t *testing.T, path, logicalID string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	block := regexp.MustCompile(`(?m)^  ` + regexp.QuoteMeta(logicalID) + `:\n((    .*)?\n)*`)
	if !block.Match(b) {
		t.Fatalf("template.yaml has no resource %s", logicalID)
	}
	text := block.ReplaceAllString(string(b), "")
	if strings.Contains(text, logicalID+":") {
		t.Fatalf("template.yaml still has %s after removing its block", logicalID)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}
