// Package devtest holds helpers for the devstack tests: building the test
// function, and collecting child output so that a failing test shows it.
package devtest

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"
)

// BuildTestFunction builds tools/devstack/testdata/testfn for the host
// into dir and returns the bootstrap's path. Test packages call it from
// TestMain, once.
func BuildTestFunction(dir string) (string, error) {
	_, file, _, _ := runtime.Caller(0)
	pkgDir := filepath.Join(filepath.Dir(file), "..", "testdata", "testfn")
	out := filepath.Join(dir, "bootstrap")

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "build", "-tags", "lambda.norpc", "-o", out, ".")
	cmd.Dir = pkgDir
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("building the test function: %w\n%s", err, b)
	}
	return out, nil
}

// MainWithTestFunction is a TestMain body: it builds the test function into
// a temp dir, sets *path to it, runs the tests and removes the dir.
func MainWithTestFunction(m *testing.M, path *string) int {
	dir, err := os.MkdirTemp("", "devstack-testfn-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	if *path, err = BuildTestFunction(dir); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return m.Run()
}

// Output is a goroutine-safe buffer for child process output. The test logs
// it when it fails, and it never writes to t after the test ends.
type Output struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// NewOutput returns an Output that t logs on failure, under name.
func NewOutput(t testing.TB, name string) *Output {
	o := &Output{}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("--- output of %s ---\n%s", name, o.String())
		}
	})
	return o
}

func (o *Output) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.Write(p)
}

func (o *Output) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.String()
}

// FreePorts returns n distinct loopback ports that were free a moment ago.
func FreePorts(t testing.TB, n int) []int {
	t.Helper()
	ports := make([]int, 0, n)
	var listeners []net.Listener
	defer func() {
		for _, l := range listeners {
			l.Close()
		}
	}()
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		listeners = append(listeners, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports
}

// RequirePushpin skips the test when pushpin is not installed, except under
// CI (CI=true), where a missing pushpin is a failure.
func RequirePushpin(t testing.TB) {
	t.Helper()
	if _, err := exec.LookPath("pushpin"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("pushpin is not installed (CI is set, so this fails instead of skipping): apt-get install pushpin")
		}
		t.Skip("pushpin is not installed: apt-get install pushpin (or brew install pushpin) to run this test")
	}
}
