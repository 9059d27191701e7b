package feed

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/faas-grip/faas-grip-go/internal/history"
)

// keptStore is a history whose entries from first to head are kept (ids
// 1..head assigned); Since on an older id reports the gap as the real
// stores do.
type keptStore struct {
	history.Store
	first, head   int
	size          int // bytes of each entry's data
	appendOnSince int // entries that appear between Last and Since
}

func (s *keptStore) Last(context.Context, string) (string, error) {
	if s.head == 0 {
		return "", nil
	}
	return strconv.Itoa(s.head), nil
}

func (s *keptStore) Since(_ context.Context, channel, after string, limit int) ([]history.Entry, error) {
	s.head += s.appendOnSince
	a, _ := strconv.Atoi(after)
	var out []history.Entry
	start := max(a+1, s.first)
	for id := start; id <= s.head && len(out) < limit; id++ {
		out = append(out, history.Entry{Channel: channel, ID: strconv.Itoa(id), Data: []byte(strings.Repeat("x", s.size))})
	}
	if start > a+1 {
		return out, fmt.Errorf("%w: test", history.ErrGap)
	}
	return out, nil
}

func TestReadReplay(t *testing.T) {
	tests := []struct {
		name    string
		store   keptStore
		lastID  string
		entries string // their ids
		want    Replay // Entries ignored
	}{
		{"new client starts at the head", keptStore{first: 1, head: 7}, "", "", Replay{Through: "7"}},
		{"at the head", keptStore{first: 1, head: 7}, "7", "", Replay{Through: "7"}},
		{"canonical form", keptStore{first: 1, head: 7}, "007", "", Replay{Through: "7"}},
		{"behind", keptStore{first: 1, head: 7}, "4", "5,6,7", Replay{Through: "7"}},
		{"empty channel", keptStore{}, "", "", Replay{}},
		{"before the first of an empty channel", keptStore{}, "0", "", Replay{}},
		{"ahead of the channel", keptStore{first: 1, head: 7}, "9", "", Replay{Through: "7", Gap: true}},
		{"older than the retention", keptStore{first: 5, head: 7}, "2", "5,6,7", Replay{Through: "7", Gap: true}},
		{"all after it expired", keptStore{first: 8, head: 7}, "2", "", Replay{Through: "7", Gap: true}},
		{"bounded by count", keptStore{first: 1, head: 250}, "0", "1-100", Replay{Through: "100", More: true}},
		{"bounded by bytes", keptStore{first: 1, head: 9, size: MaxReplayBytes / 3}, "0", "1,2,3", Replay{Through: "3", More: true}},
		{"one entry even when too big", keptStore{first: 1, head: 2, size: MaxReplayBytes + 1}, "0", "1", Replay{Through: "1", More: true}},
		{"appended while read", keptStore{first: 1, head: 7, appendOnSince: 2}, "6", "7,8,9", Replay{Through: "9"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := ReadReplay(t.Context(), &tc.store, "news", tc.lastID)
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, e := range r.Entries {
				ids = append(ids, e.ID)
			}
			got := strings.Join(ids, ",")
			if len(ids) == 100 {
				got = ids[0] + "-" + ids[99]
			}
			if got != tc.entries {
				t.Errorf("entries %s, want %s", got, tc.entries)
			}
			if r.Through != tc.want.Through || r.Gap != tc.want.Gap || r.More != tc.want.More {
				t.Errorf("got %+v, want %+v", r, tc.want)
			}
		})
	}
}

func TestReadReplayRefusesABadID(t *testing.T) {
	for _, id := range []string{"x", "-1", "1.5", "18446744073709551616"} {
		if _, err := ReadReplay(t.Context(), &keptStore{head: 3}, "news", id); !errors.Is(err, ErrBadLastID) {
			t.Errorf("%q: %v, want ErrBadLastID", id, err)
		}
	}
}
