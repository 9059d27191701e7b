//go:build !linux

package proc

import (
	"errors"
	"os"
	"syscall"
)

// descendants needs /proc; elsewhere only the process group is signalled.
func descendants(int) map[int]string { return nil }

func sameProcessAlive(pid int, _ string) bool { return Alive(pid) }

// Alive reports whether pid exists (zombies included, without /proc).
func Alive(pid int) bool {
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	return !errors.Is(p.Signal(syscall.Signal(0)), os.ErrProcessDone)
}
