//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package history

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

func newDir(t *testing.T, opts ...DirOption) *DirStore {
	t.Helper()
	s, err := NewDirStore(filepath.Join(t.TempDir(), "history"), opts...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func datas(entries []Entry) []string {
	out := make([]string, len(entries))
	for i, e := range entries {
		out[i] = string(e.Data)
	}
	return out
}

func mustAppend(t *testing.T, s Store, channel string, data ...string) []Entry {
	t.Helper()
	bs := make([][]byte, len(data))
	for i, d := range data {
		bs[i] = []byte(d)
	}
	es, err := s.Append(context.Background(), channel, bs...)
	if err != nil {
		t.Fatal(err)
	}
	return es
}

// storeBasics runs the checks every Store must pass on a fresh channel.
func storeBasics(t *testing.T, s Store, channel string) {
	ctx := context.Background()
	if last, err := s.Last(ctx, channel); last != "" || err != nil {
		t.Fatalf("Last on an empty channel = %q, %v", last, err)
	}
	if es, err := s.Since(ctx, channel, "", 10); len(es) != 0 || err != nil {
		t.Fatalf("Since on an empty channel = %v, %v", es, err)
	}
	if es, err := s.Append(ctx, channel); es != nil || err != nil {
		t.Fatalf("Append without data = %v, %v", es, err)
	}

	before := time.Now().Add(-time.Second)
	first := mustAppend(t, s, channel, "a")
	if len(first) != 1 || first[0].ID != "1" || first[0].PrevID != "" || first[0].Channel != channel || string(first[0].Data) != "a" {
		t.Fatalf("first Append = %+v", first)
	}
	if first[0].Time.Before(before) || first[0].Time.After(time.Now().Add(time.Second)) {
		t.Errorf("entry time %v is not now", first[0].Time)
	}
	batch := mustAppend(t, s, channel, "b", "", "d\x00\n\xff")
	if got := ids(batch); !slices.Equal(got, []string{"2", "3", "4"}) {
		t.Fatalf("batch ids = %v", got)
	}
	if batch[0].PrevID != "1" || batch[2].PrevID != "3" {
		t.Errorf("batch prev ids = %q, %q", batch[0].PrevID, batch[2].PrevID)
	}
	if last, err := s.Last(ctx, channel); last != "4" || err != nil {
		t.Errorf("Last = %q, %v", last, err)
	}

	all, err := s.Since(ctx, channel, "0", 0)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(datas(all), []string{"a", "b", "", "d\x00\n\xff"}) || !slices.Equal(ids(all), []string{"1", "2", "3", "4"}) {
		t.Fatalf("Since 0 = %q %v", datas(all), ids(all))
	}
	if !all[0].Time.Equal(first[0].Time) || all[1].PrevID != "1" || all[0].Channel != channel {
		t.Errorf("read back %+v, appended %+v", all[0], first[0])
	}
	for _, tc := range []struct {
		after string
		limit int
		want  []string
	}{
		{"2", 10, []string{"3", "4"}},
		{"1", 2, []string{"2", "3"}},
		{"4", 10, []string{}},
		{"99", 10, []string{}},
		{"", 2, []string{"3", "4"}},
		{"", 100, []string{"1", "2", "3", "4"}},
	} {
		es, err := s.Since(ctx, channel, tc.after, tc.limit)
		if err != nil || !slices.Equal(ids(es), tc.want) {
			t.Errorf("Since(%q, %d) = %v, %v; want %v", tc.after, tc.limit, ids(es), err, tc.want)
		}
	}

	// Channels are independent.
	if es := mustAppend(t, s, channel+"-other", "x"); es[0].ID != "1" {
		t.Errorf("other channel starts at %s", es[0].ID)
	}

	// Bad input.
	if _, err := s.Since(ctx, channel, "-1", 1); !errors.Is(err, ErrInvalidID) {
		t.Errorf("Since bad id: %v", err)
	}
	if _, err := s.Since(ctx, "", "1", 1); !errors.Is(err, ErrInvalidChannel) {
		t.Errorf("Since bad channel: %v", err)
	}
	if _, err := s.Append(ctx, "\xff", []byte("x")); !errors.Is(err, ErrInvalidChannel) {
		t.Errorf("Append bad channel: %v", err)
	}
	if _, err := s.Last(ctx, ""); !errors.Is(err, ErrInvalidChannel) {
		t.Errorf("Last bad channel: %v", err)
	}
}

func TestDirStoreBasics(t *testing.T) {
	storeBasics(t, newDir(t), "room/Ünïcode ..")
}

func TestDirStoreCanceled(t *testing.T) {
	s := newDir(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Append(ctx, "c", []byte("x")); !errors.Is(err, context.Canceled) {
		t.Errorf("Append: %v", err)
	}
	if _, err := s.Since(ctx, "c", "", 1); !errors.Is(err, context.Canceled) {
		t.Errorf("Since: %v", err)
	}
	if _, err := s.Last(ctx, "c"); !errors.Is(err, context.Canceled) {
		t.Errorf("Last: %v", err)
	}
}

func TestFileName(t *testing.T) {
	seen := map[string]string{}
	long := strings.Repeat("x", 300)
	for _, ch := range []string{"room", "Room", "ROOM", "a/b", "a_2fb", "..", ".", "a b", "ü", long, long + "y", strings.Repeat("/", 300)} {
		name := fileName(ch)
		if prev, dup := seen[strings.ToLower(name)]; dup {
			t.Errorf("%q and %q share file %q", prev, ch, name)
		}
		seen[strings.ToLower(name)] = ch
		if len(name) > 255 || strings.ContainsAny(name, "/\\:*?\"<>| ") || strings.HasPrefix(name, ".") {
			t.Errorf("unsafe file name %q for %q", name, ch)
		}
	}
	if got := fileName("chat-1"); got != "chat-1.log" {
		t.Errorf("fileName(chat-1) = %q", got)
	}
}

func TestDirStoreRetentionAndGap(t *testing.T) {
	ctx := context.Background()
	s := newDir(t, WithMaxEntries(4))
	for i := 1; i <= 23; i++ {
		mustAppend(t, s, "c", strconv.Itoa(i))
		n := countLines(t, s.path("c"))
		if n < min(i, 4) || n > 5 {
			t.Fatalf("after %d appends the file has %d entries, want 4-5", i, n)
		}
	}
	if last, _ := s.Last(ctx, "c"); last != "23" {
		t.Fatalf("Last = %s", last)
	}
	kept, err := s.Since(ctx, "c", "", 0)
	if err != nil || len(kept) < 4 || ids(kept)[len(kept)-1] != "23" {
		t.Fatalf("kept %v, %v", ids(kept), err)
	}
	oldest := kept[0].ID

	// A client far behind gets what is kept, and ErrGap.
	es, err := s.Since(ctx, "c", "3", 10)
	if !errors.Is(err, ErrGap) || len(es) != len(kept) || es[0].ID != oldest {
		t.Errorf("Since 3 = %v, %v", ids(es), err)
	}
	if err != nil && !strings.Contains(err.Error(), `"c"`) {
		t.Errorf("gap error does not name the channel: %v", err)
	}
	// Just behind the window is fine; the recent form never reports a gap.
	before, _ := strconv.Atoi(oldest)
	if es, err := s.Since(ctx, "c", strconv.Itoa(before-1), 10); err != nil || es[0].ID != oldest {
		t.Errorf("Since %d = %v, %v", before-1, ids(es), err)
	}
	if _, err := s.Since(ctx, "c", "", 100); err != nil {
		t.Errorf("Since recent: %v", err)
	}
	leftovers, _ := filepath.Glob(filepath.Join(s.Dir(), "*.tmp"))
	if len(leftovers) > 0 {
		t.Errorf("compaction left %v", leftovers)
	}

	// A big batch is compacted down at once.
	big := make([]string, 30)
	for i := range big {
		big[i] = "big" + strconv.Itoa(i)
	}
	mustAppend(t, s, "c", big...)
	if n := countLines(t, s.path("c")); n != 4 {
		t.Errorf("after a batch of 30 the file has %d entries", n)
	}
	if last, _ := s.Last(ctx, "c"); last != "53" {
		t.Errorf("Last = %s", last)
	}
}

func TestDirStoreLongLines(t *testing.T) {
	// Lines longer than tail's read chunk and bufio's buffer.
	ctx := context.Background()
	s := newDir(t, WithMaxEntries(2))
	for i := range 6 {
		mustAppend(t, s, "c", strings.Repeat(strconv.Itoa(i), 10000))
	}
	es, err := s.Since(ctx, "c", "4", 0)
	if err != nil || !slices.Equal(ids(es), []string{"5", "6"}) {
		t.Fatalf("Since 4 = %v, %v", ids(es), err)
	}
	if got := string(es[len(es)-1].Data); got != strings.Repeat("5", 10000) {
		t.Errorf("last data is %d bytes starting %.5q", len(got), got)
	}
	if last, _ := s.Last(ctx, "c"); last != "6" {
		t.Errorf("Last = %s", last)
	}
}

func TestDirStoreRepairsPartialLine(t *testing.T) {
	ctx := context.Background()
	s := newDir(t)
	mustAppend(t, s, "c", "a", "b")
	// A writer that died mid-line leaves an unterminated line.
	f, err := os.OpenFile(s.path("c"), os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("3 12345 YW")
	f.Close()
	if last, _ := s.Last(ctx, "c"); last != "2" {
		t.Errorf("Last with a partial line = %s", last)
	}
	if es, err := s.Since(ctx, "c", "0", 0); err != nil || len(es) != 2 {
		t.Errorf("Since with a partial line = %v, %v", ids(es), err)
	}
	if es := mustAppend(t, s, "c", "c"); es[0].ID != "3" {
		t.Errorf("append after a partial line got %s", es[0].ID)
	}
	if es, err := s.Since(ctx, "c", "0", 0); err != nil || !slices.Equal(datas(es), []string{"a", "b", "c"}) {
		t.Errorf("after repair: %q, %v", datas(es), err)
	}

	// A file holding only a partial line is repaired to empty.
	if err := os.WriteFile(s.path("d"), []byte("1 5 eA"), 0o600); err != nil {
		t.Fatal(err)
	}
	if last, _ := s.Last(ctx, "d"); last != "" {
		t.Errorf("Last = %q", last)
	}
	if es := mustAppend(t, s, "d", "x"); es[0].ID != "1" {
		t.Errorf("got %s", es[0].ID)
	}
}

func TestDirStoreCorruptFile(t *testing.T) {
	ctx := context.Background()
	s := newDir(t)
	for _, content := range []string{"x 1 eA==\n", "1 x eA==\n", "1 1 ***\n", "1 1\n", "0 1 eA==\n", "nospace\n"} {
		if err := os.WriteFile(s.path("c"), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err1 := s.Since(ctx, "c", "", 0)
		_, err2 := s.Since(ctx, "c", "0", 0)
		if err1 == nil && err2 == nil {
			t.Errorf("Since on %q: no error", content)
		}
		if err1 != nil && !strings.Contains(err1.Error(), s.path("c")) {
			t.Errorf("error does not name the file: %v", err1)
		}
	}
	os.WriteFile(s.path("c"), []byte("x 1 eA==\n"), 0o600)
	if _, err := s.Last(ctx, "c"); err == nil {
		t.Error("Last on a corrupt file: no error")
	}
	if _, err := s.Append(ctx, "c", []byte("x")); err == nil {
		t.Error("Append on a corrupt file: no error")
	}
	os.WriteFile(s.path("c"), []byte("x 1 eA==\n2 1 eA==\n"), 0o600)
	if _, err := s.Append(ctx, "c", []byte("x")); err == nil {
		t.Error("Append on a corrupt first line: no error")
	}
}

func TestNewDirStoreErrors(t *testing.T) {
	if _, err := NewDirStore(""); err == nil {
		t.Error("empty dir accepted")
	}
	file := filepath.Join(t.TempDir(), "file")
	os.WriteFile(file, nil, 0o600)
	if _, err := NewDirStore(filepath.Join(file, "sub")); err == nil {
		t.Error("dir under a file accepted")
	}
	// A store whose directory vanished reports errors rather than panicking.
	s := newDir(t)
	os.RemoveAll(s.Dir())
	os.WriteFile(s.Dir(), nil, 0o600) // now a file
	if _, err := s.Append(context.Background(), "c", []byte("x")); err == nil {
		t.Error("Append into a missing directory: no error")
	}
	if _, err := s.Since(context.Background(), "c", "", 0); err == nil {
		t.Error("Since in a missing directory: no error")
	}
}

func countLines(t *testing.T, path string) int {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Count(b, []byte("\n"))
}

// checkUnique checks that got holds every id from 1 to n exactly once.
func checkUnique(t *testing.T, got []string, n int) {
	t.Helper()
	seen := map[string]bool{}
	for _, id := range got {
		if seen[id] {
			t.Errorf("id %s assigned twice", id)
		}
		seen[id] = true
	}
	for i := 1; i <= n; i++ {
		if !seen[strconv.Itoa(i)] {
			t.Errorf("id %d never assigned", i)
		}
	}
	if len(got) != n {
		t.Errorf("%d ids assigned, want %d", len(got), n)
	}
}

// checkFile checks the channel's kept entries are consecutive, end at n, and
// that every batch of two ("p<pid>", "<i>") is stored together in order.
func checkFile(t *testing.T, s *DirStore, channel string, n int) {
	t.Helper()
	es, err := s.Since(context.Background(), channel, "", 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < len(es); i++ {
		a, _ := strconv.Atoi(es[i-1].ID)
		b, _ := strconv.Atoi(es[i].ID)
		if b != a+1 {
			t.Fatalf("ids %d then %d", a, b)
		}
	}
	if es[len(es)-1].ID != strconv.Itoa(n) {
		t.Errorf("last kept id %s, want %d", es[len(es)-1].ID, n)
	}
	for i, e := range es {
		id, _ := strconv.Atoi(e.ID)
		if id%2 == 1 && !strings.HasPrefix(string(e.Data), "p") {
			t.Errorf("entry %s = %q: batches were interleaved", e.ID, e.Data)
		}
		if id%2 == 0 && i > 0 && strings.HasPrefix(string(e.Data), "p") {
			t.Errorf("entry %s = %q: batches were interleaved", e.ID, e.Data)
		}
	}
}

func TestDirStoreConcurrentGoroutines(t *testing.T) {
	s := newDir(t, WithMaxEntries(20)) // small: compaction races with appends
	const workers, each = 8, 25
	var mu sync.Mutex
	var got []string
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				es, err := s.Append(context.Background(), "c", []byte("p"+strconv.Itoa(w)), []byte(strconv.Itoa(i)))
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				got = append(got, ids(es)...)
				mu.Unlock()
				if _, err := s.Since(context.Background(), "c", "", 5); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	checkUnique(t, got, workers*each*2)
	checkFile(t, s, "c", workers*each*2)
}

func TestDirStoreAcrossProcesses(t *testing.T) {
	s := newDir(t, WithMaxEntries(30))
	const procs, each = 3, 40
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	var cmds []*exec.Cmd
	var outs []*bytes.Buffer
	for range procs {
		cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^$", "--", s.Dir(), "c", strconv.Itoa(each), "30")
		cmd.Env = append(os.Environ(), helperEnv+"=append")
		out := new(bytes.Buffer)
		cmd.Stdout, cmd.Stderr = out, out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds, outs = append(cmds, cmd), append(outs, out)
	}
	// This process appends too, meanwhile.
	var got []string
	for i := range each {
		es := mustAppend(t, s, "c", "p"+strconv.Itoa(os.Getpid()), strconv.Itoa(i))
		got = append(got, ids(es)...)
	}
	for i, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Fatalf("helper process: %v\n%s", err, outs[i])
		}
		sc := bufio.NewScanner(outs[i])
		for sc.Scan() {
			got = append(got, sc.Text())
		}
	}
	checkUnique(t, got, (procs+1)*each*2)
	checkFile(t, s, "c", (procs+1)*each*2)
}

func TestFromEnvDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "h")
	env := map[string]string{EnvDir: dir, EnvTable: "ignored", EnvMaxEntries: "7"}
	s, err := FromEnv(context.Background(), func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	ds, ok := s.(*DirStore)
	if !ok || ds.Dir() != dir || ds.max != 7 {
		t.Fatalf("FromEnv = %#v", s)
	}

	for _, bad := range []string{"0", "x", "-3"} {
		env[EnvMaxEntries] = bad
		if s, err := FromEnv(context.Background(), func(k string) string { return env[k] }); s != nil || err == nil || !strings.Contains(err.Error(), EnvMaxEntries) {
			t.Errorf("%s=%s: %v, %v", EnvMaxEntries, bad, s, err)
		}
	}
	file := filepath.Join(t.TempDir(), "f")
	os.WriteFile(file, nil, 0o600)
	env = map[string]string{EnvDir: filepath.Join(file, "x")}
	if s, err := FromEnv(context.Background(), func(k string) string { return env[k] }); s != nil || err == nil {
		t.Errorf("unusable dir: %#v, %v", s, err)
	}
}

func TestFromEnvNone(t *testing.T) {
	s, err := FromEnv(context.Background(), func(string) string { return "" })
	if s != nil || err != nil {
		t.Errorf("FromEnv with nothing set = %#v, %v; want nil, nil", s, err)
	}
	env := map[string]string{EnvTable: "t", EnvRetention: "soon"}
	if s, err := FromEnv(context.Background(), func(k string) string { return env[k] }); s != nil || err == nil || !strings.Contains(err.Error(), EnvRetention) {
		t.Errorf("bad retention: %v, %v", s, err)
	}
}

func TestDirStoreKeys(t *testing.T) {
	storeKeys(t, newDir(t), "room/Ünïcode ..")
}

func TestDirStoreConcurrentKeys(t *testing.T) {
	storeConcurrentKeys(t, newDir(t), "c")
}

// Keys are remembered while their entry is kept, also across compaction;
// lines written without keys (by earlier versions) still read.
func TestDirStoreKeysInTheFile(t *testing.T) {
	ctx := context.Background()
	s := newDir(t, WithMaxEntries(2))
	if err := os.WriteFile(s.path("c"), []byte("1 5 eA==\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	mustAppendItems(t, s, "c", keyed("k/ with space\n", "y")...)
	b, _ := os.ReadFile(s.path("c"))
	if lines := strings.Split(string(b), "\n"); len(lines) != 3 || !strings.HasSuffix(lines[1], " eQ== ay8gd2l0aCBzcGFjZQo") {
		t.Fatalf("file:\n%s", b)
	}
	if es := mustAppendItems(t, s, "c", keyed("k/ with space\n", "y")...); es[0].ID != "2" {
		t.Errorf("repeat got %s", es[0].ID)
	}
	mustAppend(t, s, "c", "3", "4", "5") // compacts down to the last 2
	if es := mustAppendItems(t, s, "c", keyed("k/ with space\n", "y")...); es[0].ID != "6" {
		t.Errorf("a key whose entry was compacted away got %s, want a new id 6", es[0].ID)
	}
	for _, content := range []string{"1 5 eQ== ***\n", "1 5 eQ== \n"} {
		os.WriteFile(s.path("d"), []byte(content), 0o600)
		if _, err := s.Since(ctx, "d", "0", 0); err == nil || !strings.Contains(err.Error(), "bad key") {
			t.Errorf("Since on %q: %v", content, err)
		}
	}
	os.WriteFile(s.path("e"), []byte("1 5 *** a2V5\n"), 0o600)
	if _, err := s.AppendItems(ctx, "e", keyed("key", "x")...); err == nil {
		t.Error("a corrupt line under the key read without error")
	}
}
