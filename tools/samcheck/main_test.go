package samcheck

import (
	"fmt"
	"os"
	"sync"
	"testing"
)

// sharedScratch is the one folder the scratch-copy tests copy the
// repository into, each in turn: the build cache keys compiled packages by
// folder, so a copy at the same path reuses what an earlier one compiled.
var sharedScratch = sync.OnceValues(func() (string, error) {
	return os.MkdirTemp("", "samcheck-scratch-")
})

func TestMain(m *testing.M) {
	code := m.Run()
	if dir, err := sharedScratch(); err == nil {
		if err := os.RemoveAll(dir); err != nil {
			fmt.Fprintln(os.Stderr, "samcheck:", err)
		}
	}
	os.Exit(code)
}
