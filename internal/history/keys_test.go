//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package history

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
)

func keyed(pairs ...string) []Item {
	var items []Item
	for i := 0; i+1 < len(pairs); i += 2 {
		items = append(items, Item{Key: pairs[i], Data: []byte(pairs[i+1])})
	}
	return items
}

func mustAppendItems(t *testing.T, s Store, channel string, items ...Item) []Entry {
	t.Helper()
	es, err := s.AppendItems(context.Background(), channel, items...)
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != len(items) {
		t.Fatalf("%d entries for %d items", len(es), len(items))
	}
	return es
}

// storeKeys runs the idempotency checks every Store must pass on a fresh
// channel: a key appended again keeps its first entry and is stored once.
func storeKeys(t *testing.T, s Store, channel string) {
	ctx := context.Background()
	first := mustAppendItems(t, s, channel, keyed("m1", "a", "", "b")...)
	if !slices.Equal(ids(first), []string{"1", "2"}) {
		t.Fatalf("first ids %v", ids(first))
	}

	// A redelivery of m1 with a new message m3: m1 keeps id 1.
	again := mustAppendItems(t, s, channel, keyed("m3", "c", "m1", "a")...)
	if !slices.Equal(ids(again), []string{"3", "1"}) || again[0].PrevID != "2" || again[1].PrevID != "" {
		t.Fatalf("redelivery: ids %v prev %q %q, want [3 1] (m1 keeps its id)", ids(again), again[0].PrevID, again[1].PrevID)
	}
	if !again[1].Time.Equal(first[0].Time) || string(again[1].Data) != "a" || again[1].Channel != channel {
		t.Errorf("repeated entry %+v, first %+v", again[1], first[0])
	}
	// Everything stored before: nothing written, nothing numbered.
	if es := mustAppendItems(t, s, channel, keyed("m3", "c", "m1", "a")...); !slices.Equal(ids(es), []string{"3", "1"}) {
		t.Errorf("all repeated: ids %v", ids(es))
	}
	all, err := s.Since(ctx, channel, "0", 0)
	if err != nil || !slices.Equal(datas(all), []string{"a", "b", "c"}) {
		t.Fatalf("stored %q, %v: each message once", datas(all), err)
	}
	if last, err := s.Last(ctx, channel); last != "3" || err != nil {
		t.Errorf("Last = %q, %v", last, err)
	}

	// Repeats within one call are stored once.
	es := mustAppendItems(t, s, channel, keyed("m4", "d", "m4", "d", "", "e")...)
	if !slices.Equal(ids(es), []string{"4", "4", "5"}) {
		t.Errorf("repeat within a call: ids %v", ids(es))
	}

	// A key names one message: other data under it is refused, and nothing
	// of that call is stored.
	for _, items := range [][]Item{
		keyed("m5", "f", "m1", "not a"),
		keyed("m5", "f", "m5", "g"),
	} {
		if _, err := s.AppendItems(ctx, channel, items...); !errors.Is(err, ErrKeyConflict) || !strings.Contains(err.Error(), `"m`) {
			t.Errorf("AppendItems(%v): %v, want ErrKeyConflict naming the key", items, err)
		}
	}
	if last, _ := s.Last(ctx, channel); last != "5" {
		t.Errorf("a refused call stored something: Last = %s", last)
	}

	// Keys are per channel.
	if es := mustAppendItems(t, s, channel+"-other", keyed("m1", "other")...); es[0].ID != "1" || string(es[0].Data) != "other" {
		t.Errorf("key in another channel: %+v", es[0])
	}

	for _, bad := range []string{strings.Repeat("k", MaxKeyLen+1), "\xff"} {
		if _, err := s.AppendItems(ctx, channel, Item{Key: bad, Data: []byte("x")}); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("key %.10q: %v, want ErrInvalidKey", bad, err)
		}
	}
	if es, err := s.AppendItems(ctx, channel); es != nil || err != nil {
		t.Errorf("AppendItems without items = %v, %v", es, err)
	}
	if _, err := s.AppendItems(ctx, "", Item{Data: []byte("x")}); !errors.Is(err, ErrInvalidChannel) {
		t.Errorf("bad channel: %v", err)
	}
}

// storeConcurrentKeys: the same message delivered to several appenders at
// once is stored once, and all of them get its one id.
func storeConcurrentKeys(t *testing.T, s Store, channel string) {
	const workers = 6
	got := make([][]string, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			es, err := s.AppendItems(context.Background(), channel, keyed("dup", "once", "own-"+string(rune('a'+w)), "own")...)
			if err != nil {
				t.Error(err)
				return
			}
			got[w] = ids(es)
		})
	}
	wg.Wait()
	all, err := s.Since(context.Background(), channel, "0", 0)
	if err != nil || len(all) != workers+1 {
		t.Fatalf("stored %q, %v: want the shared message once and one each", datas(all), err)
	}
	var dupID string
	for _, e := range all {
		if string(e.Data) == "once" {
			dupID = e.ID
		}
	}
	for w, g := range got {
		if len(g) != 2 || g[0] != dupID {
			t.Errorf("appender %d got ids %v, want the shared message's %s first", w, g, dupID)
		}
	}
}

func TestDedupe(t *testing.T) {
	firstOf, err := dedupe(keyed("a", "1", "", "2", "b", "3", "a", "1", "", "2"))
	if err != nil || !slices.Equal(firstOf, []int{0, 1, 2, 0, 4}) {
		t.Errorf("dedupe = %v, %v", firstOf, err)
	}
}
