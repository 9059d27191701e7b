package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/faas-grip/faas-grip-go/internal/devstack/proc"
)

// A minimal Lambda Runtime API (2018-06-01) for one function process. The
// devstack's runtimeapi does more (timeouts, restarts, logs) but hides the
// process; the benchmarks need its pid (for its memory) and the instants at
// which the process asked for work and answered.

const apiPrefix = "/2018-06-01/runtime/"

// invocation is one event handed to the function.
type invocation struct {
	id      string
	payload []byte
	handed  time.Time // when /next gave it to the function
	done    chan answer
}

type answer struct {
	body []byte
	err  string // the function's error payload, if it reported one
	at   time.Time
}

// runtimeAPI serves one function process.
type runtimeAPI struct {
	ln        net.Listener
	srv       *http.Server
	queue     chan *invocation
	firstNext chan time.Time // receives the first /next's arrival
	initErr   chan string

	mu      sync.Mutex
	pending map[string]*invocation
	nextID  int
}

func newRuntimeAPI() (*runtimeAPI, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	a := &runtimeAPI{
		ln: ln, queue: make(chan *invocation, 1), firstNext: make(chan time.Time, 1),
		initErr: make(chan string, 1), pending: map[string]*invocation{},
	}
	a.srv = &http.Server{Handler: http.HandlerFunc(a.serve), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = a.srv.Serve(ln) }()
	return a, nil
}

func (a *runtimeAPI) addr() string { return a.ln.Addr().String() }

func (a *runtimeAPI) close() { _ = a.srv.Close() }

func (a *runtimeAPI) serve(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimPrefix(r.URL.Path, apiPrefix)
	switch {
	case r.Method == http.MethodGet && path == "invocation/next":
		a.next(w, r)
	case r.Method == http.MethodPost && path == "init/error":
		body, _ := io.ReadAll(r.Body)
		select {
		case a.initErr <- string(body):
		default:
		}
		w.WriteHeader(http.StatusAccepted)
	case r.Method == http.MethodPost && strings.HasPrefix(path, "invocation/"):
		id, kind, _ := strings.Cut(strings.TrimPrefix(path, "invocation/"), "/")
		body, _ := io.ReadAll(r.Body)
		at := time.Now()
		a.mu.Lock()
		inv := a.pending[id]
		delete(a.pending, id)
		a.mu.Unlock()
		if inv == nil || (kind != "response" && kind != "error") {
			http.Error(w, "unknown invocation", http.StatusBadRequest)
			return
		}
		ans := answer{body: body, at: at}
		if kind == "error" {
			ans.err = string(body)
		}
		inv.done <- ans
		w.WriteHeader(http.StatusAccepted)
	default:
		http.NotFound(w, r)
	}
}

// next blocks until an event is queued, as Lambda's /next does.
func (a *runtimeAPI) next(w http.ResponseWriter, r *http.Request) {
	select {
	case a.firstNext <- time.Now():
	default: // not the first: the slot is full or was read
	}
	select {
	case inv := <-a.queue:
		a.mu.Lock()
		a.pending[inv.id] = inv
		a.mu.Unlock()
		h := w.Header()
		h.Set("Lambda-Runtime-Aws-Request-Id", inv.id)
		h.Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(time.Now().Add(30*time.Second).UnixMilli(), 10))
		h.Set("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:123456789012:function:bench")
		h.Set("Lambda-Runtime-Trace-Id", "Root=1-00000000-000000000000000000000000;Parent=0000000000000000;Sampled=0")
		h.Set("Content-Type", "application/json")
		inv.handed = time.Now()
		_, _ = w.Write(inv.payload)
	case <-r.Context().Done():
	}
}

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

func (a *runtimeAPI) enqueue(payload []byte) *invocation {
	a.mu.Lock()
	a.nextID++
	inv := &invocation{id: "bench-" + strconv.Itoa(a.nextID), payload: payload, done: make(chan answer, 1)}
	a.mu.Unlock()
	a.queue <- inv
	return inv
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

// tailBuffer keeps the last max bytes written: a crashed function's last words.
type tailBuffer struct {
	mu  sync.Mutex
	buf []byte
	max int
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if len(t.buf) > t.max {
		t.buf = append([]byte(nil), t.buf[len(t.buf)-t.max:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return strings.TrimSpace(string(t.buf))
}
