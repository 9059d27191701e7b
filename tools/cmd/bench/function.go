package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/faas-grip/faas-grip-go/tools/devstack/proc"
)

// function is one running function process behind its own runtimeAPI.
type function struct {
	api     *runtimeAPI
	proc    *proc.Process
	started time.Time // just before exec
	stderr  *tailBuffer
}

// startFunction queues first (if not nil) so that the process finds it at
// its first /next, as on a cold start, then execs bin.
func startFunction(bin string, env map[string]string, first []byte) (*function, *invocation, error) {
	api, err := newRuntimeAPI()
	if err != nil {
		return nil, nil, err
	}
	var inv *invocation
	if first != nil {
		inv = api.enqueue(first)
	}
	cmd := exec.Command(bin)
	cmd.Dir = filepath.Dir(bin)
	cmd.Env = lambdaEnv(api.addr(), bin, env)
	tail := &tailBuffer{max: 4096}
	cmd.Stdout, cmd.Stderr = io.Discard, tail
	f := &function{api: api, stderr: tail, started: time.Now()}
	if f.proc, err = proc.Start(cmd); err != nil {
		api.close()
		return nil, nil, err
	}
	return f, inv, nil
}

// lambdaEnv is the environment Lambda gives a provided.al2023 function, and
// nothing from this machine.
func lambdaEnv(apiAddr, bin string, extra map[string]string) []string {
	env := []string{
		"AWS_LAMBDA_RUNTIME_API=" + apiAddr,
		"AWS_LAMBDA_FUNCTION_NAME=bench",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=128",
		"AWS_LAMBDA_FUNCTION_VERSION=$LATEST",
		"AWS_REGION=us-east-1",
		"AWS_DEFAULT_REGION=us-east-1",
		"LAMBDA_TASK_ROOT=" + filepath.Dir(bin),
		"_HANDLER=bootstrap",
		"TZ=:UTC",
	}
	for k, v := range extra {
		env = append(env, k+"="+v)
	}
	return env
}

var errExited = errors.New("the function's process exited")

// waitInit returns when the process first asked for work.
func (f *function) waitInit(timeout time.Duration) (time.Time, error) {
	select {
	case at := <-f.api.firstNext:
		return at, nil
	case msg := <-f.api.initErr:
		return time.Time{}, fmt.Errorf("init error: %s", msg)
	case <-f.proc.Done():
		return time.Time{}, fmt.Errorf("%w (%s): %s", errExited, f.proc.ExitDescription(), f.stderr)
	case <-time.After(timeout):
		return time.Time{}, fmt.Errorf("no /next within %v: %s", timeout, f.stderr)
	}
}

// wait returns the function's answer to inv.
func (f *function) wait(ctx context.Context, inv *invocation) (answer, error) {
	select {
	case ans := <-inv.done:
		if ans.err != "" {
			return ans, fmt.Errorf("the function returned an error: %s", ans.err)
		}
		return ans, nil
	case <-f.proc.Done():
		return answer{}, fmt.Errorf("%w (%s): %s", errExited, f.proc.ExitDescription(), f.stderr)
	case <-ctx.Done():
		return answer{}, ctx.Err()
	}
}

// invoke runs one event and returns the response.
func (f *function) invoke(ctx context.Context, payload []byte) ([]byte, error) {
	ans, err := f.wait(ctx, f.api.enqueue(payload))
	return ans.body, err
}

// memory reads the process's peak and current resident set (VmHWM, VmRSS)
// from /proc: Linux only.
func (f *function) memory() (peak, current int64, err error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", f.proc.Pid()))
	if err != nil {
		return 0, 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		name, value, _ := strings.Cut(line, ":")
		kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(value), " kB"), 10, 64)
		switch name {
		case "VmHWM":
			peak = kb * 1024
		case "VmRSS":
			current = kb * 1024
		}
	}
	if peak == 0 {
		return 0, 0, fmt.Errorf("no VmHWM in /proc/%d/status", f.proc.Pid())
	}
	return peak, current, nil
}

// stop kills the process and closes its API.
func (f *function) stop() {
	_ = f.proc.Kill()
	f.api.close()
}

// startReady starts a function with no event queued and returns once it has
// initialised and asked for work.
func startReady(bin string, env map[string]string) (*function, error) {
	f, _, err := startFunction(bin, env, nil)
	if err != nil {
		return nil, err
	}
	if _, err := f.waitInit(10 * time.Second); err != nil {
		f.stop()
		return nil, err
	}
	return f, nil
}
