//go:build !unix

package loadtest

// RaiseFileLimit does nothing here: only Unix systems have RLIMIT_NOFILE.
func RaiseFileLimit() (uint64, error) { return 0, nil }
