// Package runtimeapi runs a Lambda function's bootstrap executable as a local
// process and invokes it through the Lambda Runtime API (2018-06-01), so the
// function's real lambda.Start path runs, as it does on AWS.
//
// One Function is one execution environment: the process starts at the first
// invocation (a cold start), invocations are serialized, and a process that
// crashes or times out is replaced at the next invocation. Replace swaps in a
// new build between two invocations.
package runtimeapi

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/faas-grip/faas-grip-go/tools/devstack/proc"
)

// Config describes a function to run.
type Config struct {
	Name       string // AWS_LAMBDA_FUNCTION_NAME
	Executable string // the built bootstrap
	// Env is the function's environment (template and overrides). The
	// variables Lambda reserves (AWS_LAMBDA_*, AWS_REGION, ...) are set by
	// the runtime and win.
	Env       map[string]string
	Timeout   time.Duration // default 3s, as Lambda's
	MemoryMB  int           // default 128
	Region    string        // default us-east-1
	LogFormat string        // AWS_LAMBDA_LOG_FORMAT ("Text" or "JSON"), optional
	LogLevel  string        // AWS_LAMBDA_LOG_LEVEL (LoggingConfig.ApplicationLogLevel), optional
	Output    io.Writer     // the process's stdout and stderr; nil discards them
	Logger    *slog.Logger  // nil: slog.Default()
	// InitTimeout bounds exec to the first /next; default 10s, as Lambda's.
	InitTimeout time.Duration
}

// Report describes one invocation, like Lambda's REPORT log line.
type Report struct {
	RequestID string
	// Duration is from handing the event to the function to its answer.
	Duration time.Duration
	// InitDuration is the cold start (exec to the first /next), or 0 when
	// the invocation reused a running process.
	InitDuration time.Duration
}

// Function is a local execution environment for one function.
type Function struct {
	cfg    Config // cfg.Executable changes (Replace) only while holding turn
	arn    string
	log    *slog.Logger
	turn   chan struct{} // holds a token while an invocation runs
	closed chan struct{}
	once   sync.Once

	mu   sync.Mutex
	proc *process // nil until the first invocation, and after a crash
	shut bool     // set by Close: no process may start after it
}

// process is one running bootstrap and its Runtime API server.
type process struct {
	srv     *server
	p       *proc.Process
	started time.Time
}

// New returns a Function; its process starts at the first invocation.
func New(cfg Config) (*Function, error) {
	if cfg.Name == "" || cfg.Executable == "" {
		return nil, errors.New("runtimeapi: Config needs a Name and an Executable")
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 3 * time.Second
	}
	if cfg.MemoryMB <= 0 {
		cfg.MemoryMB = 128
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	if cfg.InitTimeout <= 0 {
		cfg.InitTimeout = 10 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	f := &Function{
		cfg:    cfg,
		arn:    "arn:aws:lambda:" + cfg.Region + ":123456789012:function:" + cfg.Name,
		log:    cfg.Logger.With("function", cfg.Name),
		turn:   make(chan struct{}, 1),
		closed: make(chan struct{}),
	}
	return f, nil
}

// Name is the function's name.
func (f *Function) Name() string { return f.cfg.Name }

// Pid is the process id of the running bootstrap, or 0 when none runs
// (before the first invocation, and after a crash until the next one).
// Benchmarks read its memory use with it.
func (f *Function) Pid() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.proc == nil {
		return 0
	}
	return f.proc.p.Pid()
}

// Invoke runs the function on one event and returns its response payload.
// A function error, crash or timeout is an *Error.
func (f *Function) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	out, _, err := f.InvokeReport(ctx, payload)
	return out, err
}

// InvokeReport is Invoke, also reporting durations. Canceling ctx while the
// function runs kills its process (its state is unknown after that).
func (f *Function) InvokeReport(ctx context.Context, payload []byte) ([]byte, Report, error) {
	select {
	case f.turn <- struct{}{}:
		defer func() { <-f.turn }()
	case <-ctx.Done():
		return nil, Report{}, ctx.Err()
	case <-f.closed:
		return nil, Report{}, ErrClosed
	}

	inv := &invocation{id: newRequestID(), traceID: newTraceID(), payload: payload, result: make(chan result, 1)}
	var rep Report
	rep.RequestID = inv.id

	// A process that died since the last invocation (say, after reporting a
	// panic) is replaced; if it dies before taking the event, the event never
	// reached it and is handed to a fresh process, once.
	var p *process
	for attempt := 0; ; attempt++ {
		var initDur time.Duration
		var err error
		p, initDur, err = f.running(ctx, inv.id)
		if err != nil {
			return nil, rep, err
		}
		rep.InitDuration += initDur
		inv.deadline = time.Now().Add(f.cfg.Timeout)
		sent, err := f.hand(ctx, p, inv)
		if err != nil {
			return nil, rep, err
		}
		if sent {
			break
		}
		if attempt > 0 {
			return nil, rep, f.exitError(p, inv.id)
		}
	}

	start := time.Now()
	out, err := f.await(ctx, p, inv)
	rep.Duration = time.Since(start)
	f.log.Debug("REPORT", "requestId", inv.id, "duration", rep.Duration, "initDuration", rep.InitDuration)
	return out, rep, err
}

// hand gives inv to the process's /next. sent is false when the process
// exited before taking it.
func (f *Function) hand(ctx context.Context, p *process, inv *invocation) (sent bool, err error) {
	timer := time.NewTimer(time.Until(inv.deadline))
	defer timer.Stop()
	select {
	case p.srv.next <- inv:
		return true, nil
	case <-p.p.Done():
		f.discard(p)
		return false, nil
	case <-timer.C:
		f.discard(p)
		return false, f.timeoutError(inv.id)
	case <-ctx.Done():
		return false, ctx.Err()
	case <-f.closed:
		return false, ErrClosed
	}
}

// await waits for the outcome of an invocation the process has taken.
func (f *Function) await(ctx context.Context, p *process, inv *invocation) ([]byte, error) {
	timer := time.NewTimer(time.Until(inv.deadline))
	defer timer.Stop()
	select {
	case r := <-inv.result:
		if r.err != nil {
			return nil, r.err
		}
		return r.body, nil
	case <-p.p.Done():
		// It may have answered just before exiting (aws-lambda-go reports a
		// panic, then exits): that answer counts.
		select {
		case r := <-inv.result:
			f.discard(p)
			if r.err != nil {
				return nil, r.err
			}
			return r.body, nil
		default:
		}
		f.discard(p)
		return nil, f.exitError(p, inv.id)
	case <-timer.C:
		f.discard(p)
		return nil, f.timeoutError(inv.id)
	case <-ctx.Done():
		f.discard(p)
		return nil, ctx.Err()
	case <-f.closed:
		return nil, ErrClosed
	}
}

func (f *Function) timeoutError(requestID string) *Error {
	f.log.Warn("function timed out; its process was stopped", "timeout", f.cfg.Timeout)
	return newRuntimeError(ErrTimeout, "Sandbox.Timedout", requestID,
		fmt.Sprintf("Task timed out after %.2f seconds", f.cfg.Timeout.Seconds()))
}

func (f *Function) exitError(p *process, requestID string) *Error {
	desc := p.p.ExitDescription()
	f.log.Warn("function process exited", "status", desc)
	return newRuntimeError(ErrExited, "Runtime.ExitError", requestID, "Runtime exited with error: "+desc)
}

// running returns the current process, starting one (a cold start) when
// there is none, and the time its init took (0 when it was running).
func (f *Function) running(ctx context.Context, requestID string) (*process, time.Duration, error) {
	f.mu.Lock()
	p := f.proc
	f.mu.Unlock()
	if p != nil {
		select {
		case <-p.p.Done():
			f.discard(p)
		default:
			return p, 0, nil
		}
	}

	p, err := f.start()
	if err != nil {
		return nil, 0, err
	}
	timer := time.NewTimer(f.cfg.InitTimeout)
	defer timer.Stop()
	select {
	case <-p.srv.ready:
		initDur := time.Since(p.started)
		f.mu.Lock()
		shut := f.shut
		if !shut {
			f.proc = p
		}
		f.mu.Unlock()
		if shut {
			f.stop(p)
			return nil, 0, ErrClosed
		}
		f.log.Debug("cold start", "initDuration", initDur)
		return p, initDur, nil
	case e := <-p.srv.initErr:
		f.stop(p)
		return nil, 0, e
	case <-p.p.Done():
		f.stop(p)
		return nil, 0, newRuntimeError(ErrInit, "Runtime.ExitError", requestID,
			"Runtime exited during init: "+p.p.ExitDescription())
	case <-timer.C:
		f.stop(p)
		return nil, 0, newRuntimeError(ErrInit, "Sandbox.Timedout", requestID,
			fmt.Sprintf("Init timed out after %.2f seconds", f.cfg.InitTimeout.Seconds()))
	case <-ctx.Done():
		f.stop(p)
		return nil, 0, ctx.Err()
	case <-f.closed:
		f.stop(p)
		return nil, 0, ErrClosed
	}
}

// start execs the bootstrap with a fresh Runtime API server.
func (f *Function) start() (*process, error) {
	srv, err := newServer(f.arn)
	if err != nil {
		return nil, fmt.Errorf("runtimeapi: %s: %w", f.cfg.Name, err)
	}
	cmd := exec.Command(f.cfg.Executable)
	cmd.Dir = filepath.Dir(f.cfg.Executable)
	cmd.Env = f.environ(srv.addr())
	cmd.Stdout, cmd.Stderr = f.cfg.Output, f.cfg.Output
	started := time.Now()
	p, err := proc.Start(cmd)
	if err != nil {
		srv.close()
		return nil, fmt.Errorf("runtimeapi: start %s: %w", f.cfg.Name, err)
	}
	return &process{srv: srv, p: p, started: started}, nil
}

// environ is the process environment: the function's variables, then the
// ones Lambda reserves.
func (f *Function) environ(runtimeAPI string) []string {
	env := make([]string, 0, len(f.cfg.Env)+12)
	for k, v := range f.cfg.Env {
		if !reserved[k] {
			env = append(env, k+"="+v)
		}
	}
	env = append(env,
		"AWS_LAMBDA_RUNTIME_API="+runtimeAPI,
		"AWS_LAMBDA_FUNCTION_NAME="+f.cfg.Name,
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE="+strconv.Itoa(f.cfg.MemoryMB),
		"AWS_LAMBDA_FUNCTION_VERSION=$LATEST",
		"AWS_LAMBDA_INITIALIZATION_TYPE=on-demand",
		"AWS_LAMBDA_LOG_GROUP_NAME=/aws/lambda/"+f.cfg.Name,
		"AWS_LAMBDA_LOG_STREAM_NAME=local",
		"AWS_REGION="+f.cfg.Region,
		"AWS_DEFAULT_REGION="+f.cfg.Region,
		"LAMBDA_TASK_ROOT="+filepath.Dir(f.cfg.Executable),
		"_HANDLER="+filepath.Base(f.cfg.Executable),
	)
	if f.cfg.LogFormat != "" {
		env = append(env, "AWS_LAMBDA_LOG_FORMAT="+f.cfg.LogFormat)
	}
	if f.cfg.LogLevel != "" {
		env = append(env, "AWS_LAMBDA_LOG_LEVEL="+f.cfg.LogLevel)
	}
	return env
}

// reserved are the variables Lambda sets itself; a template cannot set them.
var reserved = map[string]bool{
	"AWS_LAMBDA_RUNTIME_API": true, "AWS_LAMBDA_FUNCTION_NAME": true, "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": true,
	"AWS_LAMBDA_FUNCTION_VERSION": true, "AWS_LAMBDA_INITIALIZATION_TYPE": true, "AWS_LAMBDA_LOG_GROUP_NAME": true,
	"AWS_LAMBDA_LOG_STREAM_NAME": true, "AWS_REGION": true, "AWS_DEFAULT_REGION": true, "LAMBDA_TASK_ROOT": true,
	"_HANDLER": true, "AWS_LAMBDA_LOG_FORMAT": true, "AWS_LAMBDA_LOG_LEVEL": true,
}

// discard forgets p as the current process and stops it.
func (f *Function) discard(p *process) {
	f.mu.Lock()
	if f.proc == p {
		f.proc = nil
	}
	f.mu.Unlock()
	f.stop(p)
}

func (f *Function) stop(p *process) {
	_ = p.p.Stop(time.Second)
	p.srv.close()
}

// Replace makes executable the function's code from the next invocation
// on, as a deploy of a new version does: it waits for the turn of the
// invocation in progress (which finishes on the old process, within its
// timeout), stops the old process and returns; the next invocation is a
// cold start of executable. Invocations waiting meanwhile run after it, on
// the new code. It returns the executable it replaced.
func (f *Function) Replace(ctx context.Context, executable string) (string, error) {
	select {
	case f.turn <- struct{}{}:
		defer func() { <-f.turn }()
	case <-ctx.Done():
		return "", ctx.Err()
	case <-f.closed:
		return "", ErrClosed
	}
	f.mu.Lock()
	old := f.cfg.Executable
	f.cfg.Executable = executable
	p := f.proc
	f.proc = nil
	f.mu.Unlock()
	if p != nil {
		f.stop(p)
	}
	return old, nil
}

// Close stops the function's process. Invocations in progress end with ErrClosed.
func (f *Function) Close() error {
	f.once.Do(func() { close(f.closed) })
	f.mu.Lock()
	p := f.proc
	f.proc = nil
	f.shut = true
	f.mu.Unlock()
	if p != nil {
		f.stop(p)
	}
	return nil
}

// newRequestID returns a random UUID (version 4), as Lambda's request ids are.
func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// newTraceID returns an X-Ray style trace header value.
func newTraceID() string {
	var b [20]byte
	_, _ = rand.Read(b[:])
	h := hex.EncodeToString(b[:])
	return fmt.Sprintf("Root=1-%08x-%s;Parent=%s;Sampled=0", time.Now().Unix(), h[:24], h[24:40])
}
