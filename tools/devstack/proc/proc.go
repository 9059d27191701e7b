// Package proc runs child processes in their own process group and stops
// them with everything they started (Pushpin's condure, zurl, proxy and
// handler; a function's helpers), so that nothing outlives a run.
package proc

import (
	"errors"
	"fmt"
	"os/exec"
	"time"
)

// Process is a started command, the leader of its own process group.
type Process struct {
	cmd  *exec.Cmd
	done chan struct{}
	err  error // Wait's result, set before done is closed
}

// Start starts cmd in a new process group. On Linux the child is also
// killed when this process dies, even by SIGKILL.
func Start(cmd *exec.Cmd) (*Process, error) {
	setProcessGroup(cmd)
	if cmd.WaitDelay == 0 {
		// A grandchild holding the output pipe must not block Wait forever.
		cmd.WaitDelay = time.Second
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &Process{cmd: cmd, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

// Pid is the process id of the leader (and the id of its group).
func (p *Process) Pid() int { return p.cmd.Process.Pid }

// Done is closed when the leader has exited and been reaped.
func (p *Process) Done() <-chan struct{} { return p.done }

// Err is the leader's exit error (nil for status 0); valid after Done.
func (p *Process) Err() error {
	<-p.done
	return p.err
}

// ExitDescription describes how the leader ended, as Lambda's
// "Runtime exited with error: ..." does; valid after Done.
func (p *Process) ExitDescription() string {
	err := p.Err()
	var exitErr *exec.ExitError
	switch {
	case err == nil:
		return "exit status 0"
	case errors.As(err, &exitErr):
		return exitErr.ProcessState.String()
	}
	return err.Error()
}

// Tree lists the leader and its live descendants (on Linux; elsewhere just
// the leader).
func (p *Process) Tree() []int {
	pids := []int{p.Pid()}
	for pid := range descendants(p.Pid()) {
		pids = append(pids, pid)
	}
	return pids
}

// Stop asks the leader to stop (SIGTERM to its group), waits up to grace
// for it to exit, then kills its group and every descendant it had (SIGKILL),
// so that no process it started survives, and waits for it to be reaped.
func (p *Process) Stop(grace time.Duration) error {
	tree := descendants(p.Pid())
	select {
	case <-p.done:
	default:
		if err := signalGroup(p.Pid(), sigTerm); err != nil {
			return fmt.Errorf("proc: stop %d: %w", p.Pid(), err)
		}
		select {
		case <-p.done:
		case <-time.After(grace):
		}
	}
	err := p.Kill()
	for pid, start := range tree {
		if sameProcessAlive(pid, start) {
			_ = signalProcess(pid, sigKill)
		}
	}
	// SIGKILL is delivered asynchronously: give the orphans a moment to die.
	deadline := time.Now().Add(time.Second)
	for pid, start := range tree {
		for sameProcessAlive(pid, start) && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
	}
	return err
}

// Kill kills the leader's group at once and waits for the leader to be reaped.
func (p *Process) Kill() error {
	err := signalGroup(p.Pid(), sigKill)
	<-p.done
	if err != nil {
		return fmt.Errorf("proc: kill %d: %w", p.Pid(), err)
	}
	return nil
}
