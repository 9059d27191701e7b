package e2e

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/faas-grip/faas-grip-go/tools/devstack"
)

// root is the repository's root, from this package's directory.
const root = "../.."

// longpollTimeout is how long Pushpin holds a long-poll in these tests (the
// function's default is 55s). Pushpin 1.36 holds at least 5s whatever
// Grip-Timeout says (measured), so shorter would not be honest.
const longpollTimeout = 5 * time.Second

var (
	shared *devstack.Stack
	// sharedHistory is the shared stack's HISTORY_DIR, for tests that
	// shape the history itself (a hole, an expired id).
	sharedHistory string
	skipWhy       string // set when the stack cannot run here
	stackLogs     = newLogBuffer()
)

// TestMain starts one stack for the whole suite: building the functions
// and starting Pushpin once keeps the suite well under a minute.
func TestMain(m *testing.M) { os.Exit(run(m)) }

func run(m *testing.M) int {
	if _, err := exec.LookPath("pushpin"); err != nil {
		if os.Getenv("CI") != "" {
			fmt.Fprintln(os.Stderr, "e2e: pushpin is not installed and CI is set: failing (apt-get install pushpin)")
			return 1
		}
		skipWhy = "pushpin is not installed: apt-get install pushpin (or brew install pushpin) to run the end-to-end tests"
		return m.Run()
	}

	history, err := os.MkdirTemp("", "e2e-history-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	defer os.RemoveAll(history)
	sharedHistory = history

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	start := time.Now()
	shared, err = devstack.Start(ctx, devstack.Options{
		Dir: root,
		Env: map[string]string{
			"HISTORY_DIR":      history,
			"LONGPOLL_TIMEOUT": longpollTimeout.String(),
		},
		FunctionOutput: stackLogs,
		PushpinOutput:  stackLogs,
		Logger:         slog.New(slog.NewTextHandler(stackLogs, nil)),
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e: starting the stack:", err)
		return 1
	}
	fmt.Fprintf(os.Stderr, "e2e: stack up in %v (Pushpin %s, API %s)\n", time.Since(start).Round(time.Millisecond), shared.ProxyURL(), shared.APIURL())

	code := m.Run()
	for _, close := range tokenClose {
		if err := close(); err != nil {
			fmt.Fprintln(os.Stderr, "e2e: stopping the token stack:", err)
			code = 1
		}
	}
	if err := shared.Close(); err != nil {
		fmt.Fprintln(os.Stderr, "e2e: stopping the stack:", err)
		code = 1
	}
	if code != 0 {
		fmt.Fprintf(os.Stderr, "--- the stack's log (last 64 KiB) ---\n%s\n", stackLogs.tail(64<<10))
	}
	return code
}

// stack returns the shared stack, or skips the test when it cannot run.
func stack(t *testing.T) *devstack.Stack {
	t.Helper()
	if skipWhy != "" {
		t.Skip(skipWhy)
	}
	return shared
}

// testContext bounds a test.
func testContext(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}
