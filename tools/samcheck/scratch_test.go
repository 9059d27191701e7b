package samcheck

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// inScratchEnv is set in the environment of the commands the fork and
// delete tests run in a scratch copy: the copy's own fork and delete tests
// then skip instead of copying the copy.
const inScratchEnv = "FAASGRIP_IN_SCRATCH_COPY"

// skipUnlessTopLevel skips the scratch-copy tests with -short and inside a
// scratch copy.
func skipUnlessTopLevel(t *testing.T) {
	t.Helper()
	if os.Getenv(inScratchEnv) != "" {
		t.Skip("already inside a scratch copy")
	}
	if testing.Short() {
		t.Skip("copies the repository and runs its tests; skipped with -short")
	}
}

// scratchCopy copies the repository as git sees it (tracked files, and
// untracked ones that are not ignored) into a temporary directory, emptied
// first, so that a test may change it freely; the real tree is never
// written. Every call copies to the same path (sharedScratch): tests that
// use it must not run in parallel.
func scratchCopy(t *testing.T) string {
	t.Helper()
	dst, err := sharedScratch()
	if err != nil {
		t.Fatal(err)
	}
	old, err := os.ReadDir(dst)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range old {
		if err := os.RemoveAll(filepath.Join(dst, e.Name())); err != nil {
			t.Fatal(err)
		}
	}
	root, err := filepath.Abs(Root())
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		t.Skipf("git ls-files: %v (the scratch-copy tests need a git checkout)", err)
	}
	dirs := map[string]bool{".": true}
	for _, rel := range strings.Split(strings.TrimRight(string(out), "\x00"), "\x00") {
		if rel == "" {
			continue
		}
		if err := copyFile(filepath.Join(root, rel), filepath.Join(dst, rel)); err != nil {
			if os.IsNotExist(err) {
				continue // deleted in the worktree, not yet in git
			}
			t.Fatal(err)
		}
		for d := filepath.Dir(rel); d != "."; d = filepath.Dir(d) {
			dirs[d] = true
		}
	}
	// Folders keep their times too (copying files in changed them), so that
	// go test's cache sees an untouched folder as the same one.
	for d := range dirs {
		if err := copyModTime(filepath.Join(root, d), filepath.Join(dst, d)); err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
	}
	return dst
}

// copyModTime gives dst the modification time of src. go test caches a
// test's result with the size and time of each file it read: copies that
// keep them let a test that reads only what a change left alone be cached.
func copyModTime(src, dst string) error {
	info, err := os.Stat(src)
	if err != nil {
		return err
	}
	return os.Chtimes(dst, info.ModTime(), info.ModTime())
}

func copyFile(src, dst string) error {
	info, err := os.Lstat(src)
	if err != nil {
		return err
	}
	if !info.Mode().IsRegular() {
		return nil // symlinks and the like: none in this repository
	}
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, info.Mode().Perm())
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Close(); err != nil {
		return err
	}
	return os.Chtimes(dst, info.ModTime(), info.ModTime())
}

// run runs a command in dir with a time limit and returns its combined
// output; the copy's own scratch tests are told to skip.
func run(t *testing.T, dir string, limit time.Duration, name string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = append(withoutVars(os.Environ(), "GOOS", "GOARCH", "ARTIFACTS_DIR", "GOFLAGS"), inScratchEnv+"=1")
	cmd.WaitDelay = 10 * time.Second
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err := cmd.Run()
	shown := args
	if len(shown) > 8 {
		shown = append(shown[:8:8], fmt.Sprintf("(and %d more)", len(args)-8))
	}
	t.Logf("%s %s: %v in %s", name, strings.TrimSpace(strings.Join(shown, " ")), errOrOK(err), time.Since(start).Round(time.Millisecond))
	if ctx.Err() != nil {
		return out.String(), ctx.Err()
	}
	return out.String(), err
}

// mustRun is run that fails the test on an error.
func mustRun(t *testing.T, dir string, limit time.Duration, name string, args ...string) string {
	t.Helper()
	out, err := run(t, dir, limit, name, args...)
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return out
}

func errOrOK(err error) any {
	if err == nil {
		return "ok"
	}
	return err
}
