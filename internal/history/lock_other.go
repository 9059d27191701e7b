//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package history

import (
	"errors"
	"os"
)

// lockFile is not implemented here: DirStore needs flock(2).
func lockFile(*os.File, bool) error {
	return errors.ErrUnsupported
}
