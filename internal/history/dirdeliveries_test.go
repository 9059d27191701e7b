//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package history

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// TestDirStoreDeliveriesPruned checks that delivery records go with the
// history's policy: the directory keeps the last MaxEntries records (by the
// time they were last marked), not every record ever written.
func TestDirStoreDeliveriesPruned(t *testing.T) {
	ctx := context.Background()
	const max = 4
	s, err := NewDirStore(t.TempDir(), WithMaxEntries(max))
	if err != nil {
		t.Fatal(err)
	}
	clock := time.Unix(1_800_000_000, 0)
	s.now = func() time.Time { clock = clock.Add(time.Second); return clock }
	mark := func(key string) {
		t.Helper()
		if err := s.MarkDelivered(ctx, map[string][]string{key: {"ep-a"}}); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 10 {
		mark("sqs:m" + strconv.Itoa(i))
	}
	mark("sqs:m0") // marked again: now among the newest
	for i := 10; i < 13; i++ {
		mark("sqs:m" + strconv.Itoa(i))
	}

	files, err := os.ReadDir(filepath.Join(s.Dir(), deliveriesDir))
	if err != nil {
		t.Fatal(err)
	}
	records := 0
	for _, f := range files {
		if len(f.Name()) == len(deliveryName("")) {
			records++
		}
	}
	if records < max || records > max+max/4 {
		t.Errorf("%d delivery records after 13 messages, want %d to %d (WithMaxEntries(%d))", records, max, max+max/4, max)
	}
	got, err := s.Delivered(ctx, "sqs:m0", "sqs:m1", "sqs:m9", "sqs:m10", "sqs:m11", "sqs:m12")
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"sqs:m0", "sqs:m10", "sqs:m11", "sqs:m12"} {
		if _, ok := got[key]; !ok {
			t.Errorf("record of %s, among the %d marked last, was pruned", key, max)
		}
	}
	if _, ok := got["sqs:m1"]; ok {
		t.Error("record of sqs:m1, the oldest, was kept")
	}
}
