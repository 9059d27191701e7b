package runtimeapi

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/faas-grip/faas-grip-go/tools/devstack/devtest"
	"github.com/faas-grip/faas-grip-go/tools/devstack/proc"
)

// testfn is the test function's bootstrap, built once by TestMain.
var testfn string

func TestMain(m *testing.M) { os.Exit(devtest.MainWithTestFunction(m, &testfn)) }

// newFunction returns a Function running the test function, closed at cleanup.
func newFunction(t *testing.T, cfg Config) *Function {
	t.Helper()
	cfg.Name = "TestFunction"
	cfg.Executable = testfn
	if cfg.Timeout == 0 {
		cfg.Timeout = 5 * time.Second
	}
	cfg.Output = devtest.NewOutput(t, "TestFunction")
	f, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = f.Close() })
	return f
}

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

type contextInfo struct {
	RequestID   string `json:"requestId"`
	FunctionArn string `json:"functionArn"`
	RemainingMs int64  `json:"remainingMs"`
	Pid         int    `json:"pid"`
}

func invokeContext(t *testing.T, ctx context.Context, f *Function) (contextInfo, Report) {
	t.Helper()
	out, rep, err := f.InvokeReport(ctx, []byte(`{"action":"context"}`))
	if err != nil {
		t.Fatalf("Invoke: %v", err)
	}
	var info contextInfo
	if err := json.Unmarshal(out, &info); err != nil {
		t.Fatalf("response %s: %v", out, err)
	}
	return info, rep
}

func TestColdThenWarm(t *testing.T) {
	ctx := testContext(t)
	f := newFunction(t, Config{Timeout: 4 * time.Second})
	if f.Pid() != 0 {
		t.Errorf("Pid() = %d before the first invocation", f.Pid())
	}

	first, rep := invokeContext(t, ctx, f)
	t.Logf("cold start %v, first invocation %v", rep.InitDuration, rep.Duration)
	if rep.InitDuration <= 0 {
		t.Errorf("first invocation: InitDuration %v, want > 0", rep.InitDuration)
	}
	if first.RequestID != rep.RequestID || len(rep.RequestID) != 36 {
		t.Errorf("request id: function saw %q, report says %q", first.RequestID, rep.RequestID)
	}
	if first.FunctionArn != "arn:aws:lambda:us-east-1:123456789012:function:TestFunction" {
		t.Errorf("function ARN %q", first.FunctionArn)
	}
	if first.RemainingMs < 3000 || first.RemainingMs > 4000 {
		t.Errorf("remaining time %dms, want about the 4s timeout", first.RemainingMs)
	}

	if f.Pid() != first.Pid {
		t.Errorf("Pid() = %d, the function runs as %d", f.Pid(), first.Pid)
	}
	second, rep := invokeContext(t, ctx, f)
	if rep.InitDuration != 0 {
		t.Errorf("warm invocation: InitDuration %v, want 0", rep.InitDuration)
	}
	if second.Pid != first.Pid {
		t.Errorf("warm invocation ran in a new process (%d, then %d)", first.Pid, second.Pid)
	}
}

func TestEcho(t *testing.T) {
	f := newFunction(t, Config{})
	in := `{"action":"echo","message":"héllo ✓"}`
	out, err := f.Invoke(testContext(t), []byte(in))
	if err != nil || string(out) != in {
		t.Errorf("Invoke = %s, %v; want %s", out, err, in)
	}
}

func TestEnvironment(t *testing.T) {
	ctx := testContext(t)
	f := newFunction(t, Config{
		Env:       map[string]string{"CHAT_CHANNEL": "room", "AWS_LAMBDA_FUNCTION_NAME": "forged", "AWS_REGION": "forged"},
		MemoryMB:  256,
		Region:    "eu-west-1",
		LogFormat: "JSON",
		LogLevel:  "WARN",
	})
	for name, want := range map[string]string{
		"CHAT_CHANNEL":                    "room",
		"AWS_LAMBDA_FUNCTION_NAME":        "TestFunction",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
		"AWS_LAMBDA_FUNCTION_VERSION":     "$LATEST",
		"AWS_REGION":                      "eu-west-1",
		"AWS_LAMBDA_LOG_FORMAT":           "JSON",
		"AWS_LAMBDA_LOG_LEVEL":            "WARN",
	} {
		out, err := f.Invoke(ctx, []byte(`{"action":"env","name":"`+name+`"}`))
		if err != nil || string(out) != `"`+want+`"` {
			t.Errorf("%s = %s, %v; want %q", name, out, err, want)
		}
	}
}

func TestFunctionErrorKeepsTheProcess(t *testing.T) {
	ctx := testContext(t)
	f := newFunction(t, Config{})
	before, _ := invokeContext(t, ctx, f)

	_, err := f.Invoke(ctx, []byte(`{"action":"error","message":"boom"}`))
	var fe *Error
	if !errors.As(err, &fe) || fe.Message != "boom" || fe.Type != "errorString" || fe.Err != nil {
		t.Fatalf("Invoke = %v (%#v), want the function's error", err, fe)
	}
	var payload map[string]any
	if err := json.Unmarshal(fe.Payload, &payload); err != nil || payload["errorMessage"] != "boom" {
		t.Errorf("payload %s", fe.Payload)
	}

	after, _ := invokeContext(t, ctx, f)
	if after.Pid != before.Pid {
		t.Error("a returned error restarted the process")
	}
}

func TestCrashesRestartTheProcess(t *testing.T) {
	ctx := testContext(t)
	f := newFunction(t, Config{})

	for _, tc := range []struct {
		event string
		check func(*Error) bool
	}{
		{`{"action":"exit","code":3}`, func(e *Error) bool {
			return errors.Is(e, ErrExited) && e.Type == "Runtime.ExitError" && strings.Contains(e.Message, "exit status 3")
		}},
		// aws-lambda-go reports a panic as the function's error, then exits.
		{`{"action":"panic","message":"oops"}`, func(e *Error) bool {
			return e.Message == "oops" && strings.Contains(string(e.Payload), "stackTrace")
		}},
	} {
		before, _ := invokeContext(t, ctx, f)
		_, err := f.Invoke(ctx, []byte(tc.event))
		var fe *Error
		if !errors.As(err, &fe) || !tc.check(fe) {
			t.Errorf("%s: got %v", tc.event, err)
		}
		after, rep := invokeContext(t, ctx, f)
		if after.Pid == before.Pid || rep.InitDuration == 0 {
			t.Errorf("%s: the next invocation did not get a fresh process", tc.event)
		}
		if proc.Alive(before.Pid) {
			t.Errorf("%s: the crashed process %d is still running", tc.event, before.Pid)
		}
	}
}

func TestTimeout(t *testing.T) {
	ctx := testContext(t)
	f := newFunction(t, Config{Timeout: 300 * time.Millisecond})
	before, _ := invokeContext(t, ctx, f)

	start := time.Now()
	_, err := f.Invoke(ctx, []byte(`{"action":"sleep","ms":5000}`))
	if !errors.Is(err, ErrTimeout) || !strings.Contains(err.Error(), "Task timed out after 0.30 seconds") {
		t.Fatalf("Invoke = %v, want a timeout", err)
	}
	if elapsed := time.Since(start); elapsed > 3*time.Second {
		t.Errorf("the timeout took %v", elapsed)
	}
	if proc.Alive(before.Pid) {
		t.Error("the timed-out process is still running")
	}
	if after, _ := invokeContext(t, ctx, f); after.Pid == before.Pid {
		t.Error("the next invocation reused the timed-out process")
	}
}

func TestResponseTooLarge(t *testing.T) {
	f := newFunction(t, Config{})
	_, err := f.Invoke(testContext(t), []byte(`{"action":"big","size":7000000}`))
	if !errors.Is(err, ErrResponseTooLarge) {
		t.Errorf("Invoke = %v, want ErrResponseTooLarge", err)
	}
}

func TestInvocationsAreSerialized(t *testing.T) {
	ctx := testContext(t)
	f := newFunction(t, Config{})
	if _, err := f.Invoke(ctx, []byte(`{}`)); err != nil { // warm up
		t.Fatal(err)
	}
	const n, each = 4, 100 * time.Millisecond
	start := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for range n {
		wg.Go(func() {
			_, err := f.Invoke(ctx, []byte(`{"action":"sleep","ms":100}`))
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if elapsed := time.Since(start); elapsed < n*each {
		t.Errorf("%d invocations of %v took %v: they overlapped", n, each, elapsed)
	}
}

func TestInitFailure(t *testing.T) {
	f := newFunction(t, Config{Env: map[string]string{"TESTFN_EXIT_AT_INIT": "1"}})
	_, err := f.Invoke(testContext(t), []byte(`{}`))
	if !errors.Is(err, ErrInit) || !strings.Contains(err.Error(), "exit status 4") {
		t.Errorf("Invoke = %v, want an init failure", err)
	}
}

func TestCancelKillsAndRecovers(t *testing.T) {
	ctx := testContext(t)
	f := newFunction(t, Config{})
	before, _ := invokeContext(t, ctx, f)

	short, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	if _, err := f.Invoke(short, []byte(`{"action":"sleep","ms":5000}`)); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Invoke = %v, want the context's error", err)
	}
	if after, _ := invokeContext(t, ctx, f); after.Pid == before.Pid {
		t.Error("the canceled invocation's process was reused")
	}
}

func TestClose(t *testing.T) {
	ctx := testContext(t)
	f := newFunction(t, Config{})
	info, _ := invokeContext(t, ctx, f)
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if proc.Alive(info.Pid) {
		t.Errorf("process %d still running after Close", info.Pid)
	}
	if _, err := f.Invoke(ctx, []byte(`{}`)); !errors.Is(err, ErrClosed) {
		t.Errorf("Invoke after Close = %v, want ErrClosed", err)
	}
}

// TestReplaceLetsTheInvocationInProgressFinish swaps the executable while an
// invocation runs: that invocation finishes on the old process, and the
// next one is a cold start of the new executable.
func TestReplaceLetsTheInvocationInProgressFinish(t *testing.T) {
	ctx := testContext(t)
	f := newFunction(t, Config{})
	before, _ := invokeContext(t, ctx, f)

	// The "new build": the same program at another path, which the
	// function sees as LAMBDA_TASK_ROOT.
	next := filepath.Join(t.TempDir(), "bootstrap")
	b, err := os.ReadFile(testfn)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(next, b, 0o755); err != nil {
		t.Fatal(err)
	}

	slept := make(chan error, 1)
	go func() {
		out, err := f.Invoke(ctx, []byte(`{"action":"sleep","ms":700}`))
		if err == nil && string(out) != `"slept"` {
			err = errors.New("sleep answered " + string(out))
		}
		slept <- err
	}()
	// Replace once the old process has taken the sleep.
	for {
		f.mu.Lock()
		f.proc.srv.mu.Lock()
		taken := len(f.proc.srv.inflight) == 1
		f.proc.srv.mu.Unlock()
		f.mu.Unlock()
		if taken {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	old, err := f.Replace(ctx, next)
	if err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-slept:
		if err != nil {
			t.Errorf("the invocation in progress: %v", err)
		}
	default:
		t.Error("Replace returned before the invocation in progress finished")
	}
	if old != testfn {
		t.Errorf("Replace returned %q, want the old executable %q", old, testfn)
	}
	if proc.Alive(before.Pid) {
		t.Errorf("the old process %d still runs after Replace", before.Pid)
	}

	out, rep, err := f.InvokeReport(ctx, []byte(`{"action":"env","name":"LAMBDA_TASK_ROOT"}`))
	if err != nil {
		t.Fatal(err)
	}
	if want, _ := json.Marshal(filepath.Dir(next)); string(out) != string(want) {
		t.Errorf("after Replace the function runs in %s, want %s", out, want)
	}
	if rep.InitDuration <= 0 {
		t.Error("the first invocation after Replace was not a cold start")
	}
}
