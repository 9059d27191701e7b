//go:build unix

package loadtest

import "syscall"

// RaiseFileLimit raises this process's open-file limit (RLIMIT_NOFILE) to
// its hard limit, which the Pushpin and function processes it starts
// inherit, and returns the new soft limit.
func RaiseFileLimit() (uint64, error) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 0, err
	}
	if lim.Cur < lim.Max {
		lim.Cur = lim.Max
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
			return 0, err
		}
	}
	return lim.Cur, nil
}
