package history

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
)

// helperEnv, when set, makes the test binary act as a second process that
// appends to a DirStore (see TestDirStoreAcrossProcesses).
const helperEnv = "HISTORY_TEST_HELPER"

func TestMain(m *testing.M) {
	if os.Getenv(helperEnv) == "append" {
		os.Exit(appendHelper(os.Args[len(os.Args)-4:]))
	}
	os.Exit(m.Run())
}

// appendHelper appends n single entries and n batches of two to channel in
// dir (max entries per file given), printing every id it got.
func appendHelper(args []string) int {
	dir, channel := args[0], args[1]
	n, _ := strconv.Atoi(args[2])
	maxEntries, _ := strconv.Atoi(args[3])
	s, err := NewDirStore(dir, WithMaxEntries(maxEntries))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	for i := range n {
		es, err := s.Append(context.Background(), channel, []byte("p"+strconv.Itoa(os.Getpid())), []byte(strconv.Itoa(i)))
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		for _, e := range es {
			fmt.Println(e.ID)
		}
	}
	return 0
}
