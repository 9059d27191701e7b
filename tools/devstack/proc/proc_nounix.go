//go:build !unix

package proc

import (
	"errors"
	"os/exec"
)

type signal int

const (
	sigTerm signal = iota
	sigKill
)

// signalGroup: without process groups, only the leader can be stopped.
func signalGroup(int, signal) error {
	return errors.ErrUnsupported
}

func signalProcess(int, signal) error {
	return errors.ErrUnsupported
}

func setProcessGroup(*exec.Cmd) {}
