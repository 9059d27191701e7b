package history

import (
	"errors"
	"slices"
	"testing"
	"time"
)

func recs(t0 time.Time, seqs ...uint64) []record {
	out := make([]record, len(seqs))
	for i, s := range seqs {
		out[i] = record{seq: s, e: newEntry("ch", s, nil, t0)}
	}
	return out
}

func ids(entries []Entry) []string {
	out := make([]string, len(entries))
	for i, e := range entries {
		out[i] = e.ID
	}
	return out
}

func TestContiguous(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	young, old := now.Add(-time.Second), now.Add(-time.Hour)
	tests := []struct {
		name    string
		recs    []record
		after   uint64
		recent  bool
		settle  time.Duration
		want    []string
		wantGap bool
	}{
		{"empty", nil, 3, false, time.Minute, []string{}, false},
		{"in order", recs(young, 4, 5, 6), 3, false, time.Minute, []string{"4", "5", "6"}, false},
		{"young hole in front waits", recs(young, 5, 6), 3, false, time.Minute, []string{}, false},
		{"young hole inside stops", recs(young, 4, 6), 3, false, time.Minute, []string{"4"}, false},
		{"old hole in front is a gap", recs(old, 5, 6), 3, false, time.Minute, []string{"5", "6"}, true},
		{"old hole inside is a gap", recs(old, 4, 6), 3, false, time.Minute, []string{"4", "6"}, true},
		{"no settle: every hole is a gap", recs(young, 9, 10), 3, false, 0, []string{"9", "10"}, true},
		{"recent starts anywhere", recs(young, 7, 8), 0, true, time.Minute, []string{"7", "8"}, false},
		{"recent stops at a young hole", recs(young, 7, 9), 0, true, time.Minute, []string{"7"}, false},
		{"recent skips old holes without a gap", recs(old, 7, 9), 0, true, time.Minute, []string{"7", "9"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, gap := contiguous(tt.recs, tt.after, tt.recent, now, tt.settle)
			if !slices.Equal(ids(got), tt.want) || gap != tt.wantGap {
				t.Errorf("got %v gap=%v, want %v gap=%v", ids(got), gap, tt.want, tt.wantGap)
			}
		})
	}
}

func TestParseAfter(t *testing.T) {
	for _, bad := range []string{"-1", "+1", "x", "1.5", " 1", "18446744073709551616"} {
		if _, _, err := parseAfter(bad); !errors.Is(err, ErrInvalidID) {
			t.Errorf("parseAfter(%q) = %v, want ErrInvalidID", bad, err)
		}
	}
	if n, recent, err := parseAfter("42"); n != 42 || recent || err != nil {
		t.Errorf("parseAfter(42) = %d %v %v", n, recent, err)
	}
	if _, recent, err := parseAfter(""); !recent || err != nil {
		t.Errorf(`parseAfter("") = %v %v`, recent, err)
	}
}

func TestCheckChannel(t *testing.T) {
	long := string(make([]byte, MaxChannelLen+1))
	for _, bad := range []string{"", "\xff", long} {
		if err := checkChannel(bad); !errors.Is(err, ErrInvalidChannel) {
			t.Errorf("checkChannel(%.10q) = %v", bad, err)
		}
	}
	if err := checkChannel("room/ünïcode"); err != nil {
		t.Error(err)
	}
}

func TestNewEntry(t *testing.T) {
	e := newEntry("c", 1, nil, time.Time{})
	if e.ID != "1" || e.PrevID != "" {
		t.Errorf("first entry: %+v", e)
	}
	e = newEntry("c", 10, nil, time.Time{})
	if e.ID != "10" || e.PrevID != "9" {
		t.Errorf("tenth entry: %+v", e)
	}
}

func TestTxParts(t *testing.T) {
	sizes := func(parts [][]int) []int {
		var n []int
		for _, p := range parts {
			n = append(n, len(p))
		}
		return n
	}
	big := make([]byte, 300_000)
	var items []Item
	for range 30 { // 9 MB: three parts by size (13 of 300 kB fit in 4 MB)
		items = append(items, Item{Data: big})
	}
	firstOf, _ := dedupe(items)
	if got := sizes(txParts("c", items, firstOf)); !slices.Equal(got, []int{13, 13, 4}) {
		t.Errorf("by size: %v", got)
	}
	// 99 unkeyed items and the counter are 100 writes: one part.
	items = itemsOf(make([][]byte, 100))
	firstOf, _ = dedupe(items)
	if got := sizes(txParts("c", items, firstOf)); !slices.Equal(got, []int{99, 1}) {
		t.Errorf("by writes: %v", got)
	}
	// 24 keys and the counter are 25 reads; repeats take no part.
	items = nil
	for i := range 30 {
		items = append(items, Item{Key: string(rune('a' + i)), Data: []byte("x")}, Item{Key: string(rune('a' + i)), Data: []byte("x")})
	}
	firstOf, _ = dedupe(items)
	if got := sizes(txParts("c", items, firstOf)); !slices.Equal(got, []int{24, 6}) {
		t.Errorf("by keys: %v", got)
	}
}
