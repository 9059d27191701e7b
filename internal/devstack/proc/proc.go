// Package proc runs child processes in their own process group, so that
// stopping one also stops everything it started (Pushpin's condure, zurl,
// proxy and handler; a function's helpers) and nothing outlives a run.
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

// Stop asks the group to stop (SIGTERM), waits up to grace for the leader to
// exit, then kills the whole group (SIGKILL) so that no member survives,
// and waits for the leader to be reaped.
func (p *Process) Stop(grace time.Duration) error {
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
	return p.Kill()
}

// Kill kills the whole group at once and waits for the leader to be reaped.
func (p *Process) Kill() error {
	err := signalGroup(p.Pid(), sigKill)
	<-p.done
	if err != nil {
		return fmt.Errorf("proc: kill %d: %w", p.Pid(), err)
	}
	return nil
}
