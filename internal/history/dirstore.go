package history

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// DefaultMaxEntries is how many entries per channel a DirStore keeps by default.
const DefaultMaxEntries = 1000

// DirStore keeps history in a local directory, one file per channel, for
// running the functions on one machine without AWS. Appends hold an
// exclusive flock(2) on the channel's file and reads a shared one, so any
// number of processes may share the directory. Each file keeps at least the
// last MaxEntries entries: when it has grown a quarter beyond that, the
// appender rewrites it with the last MaxEntries.
//
// The directory must be on a local file system (flock is not reliable over
// NFS). DirStore is not available on Windows.
type DirStore struct {
	dir string
	max int
	now func() time.Time
}

// DirOption configures a DirStore.
type DirOption func(*DirStore)

// WithMaxEntries sets how many entries per channel a DirStore keeps at
// least (default DefaultMaxEntries). Values below 1 keep the default.
func WithMaxEntries(n int) DirOption {
	return func(s *DirStore) {
		if n > 0 {
			s.max = n
		}
	}
}

// NewDirStore returns a store keeping its files in dir, creating the
// directory if needed.
func NewDirStore(dir string, opts ...DirOption) (*DirStore, error) {
	if dir == "" {
		return nil, errors.New("history: NewDirStore needs a directory")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("history: creating the history directory: %w", err)
	}
	s := &DirStore{dir: dir, max: DefaultMaxEntries, now: time.Now}
	for _, o := range opts {
		o(s)
	}
	return s, nil
}

// Dir returns the store's directory.
func (s *DirStore) Dir() string { return s.dir }

// fileName maps a channel to a file name that is safe on every file system,
// distinct for distinct channels even where names are case-insensitive:
// [a-z0-9-] stay, any other byte becomes _xx (lower-case hex). Long names
// are cut and made unique with a hash; encoded names never contain '~'.
func fileName(channel string) string {
	const hexdigits = "0123456789abcdef"
	b := make([]byte, 0, len(channel)+8)
	for i := 0; i < len(channel); i++ {
		c := channel[i]
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' {
			b = append(b, c)
		} else {
			b = append(b, '_', hexdigits[c>>4], hexdigits[c&15])
		}
	}
	if len(b) > 200 {
		sum := sha256.Sum256([]byte(channel))
		b = append(b[:160], '~')
		b = append(b, hex.EncodeToString(sum[:16])...)
	}
	return string(b) + ".log"
}

func (s *DirStore) path(channel string) string {
	return filepath.Join(s.dir, fileName(channel))
}

// Append implements Store.
func (s *DirStore) Append(ctx context.Context, channel string, data ...[]byte) ([]Entry, error) {
	return s.AppendItems(ctx, channel, itemsOf(data)...)
}

// AppendItems implements Store. Keys are recorded on the entries' lines and
// looked up, under the lock, in the lines the file keeps.
func (s *DirStore) AppendItems(ctx context.Context, channel string, items ...Item) ([]Entry, error) {
	if err := checkChannel(channel); err != nil {
		return nil, err
	}
	firstOf, err := dedupe(items)
	if err != nil || len(items) == 0 {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	path := s.path(channel)
	f, err := openLocked(path, true)
	if err != nil {
		return nil, err
	}
	defer f.Close() // also releases the lock

	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	lastLine, end, err := tail(f, fi.Size())
	if err != nil {
		return nil, fmt.Errorf("history: reading %s: %w", path, err)
	}
	if end < fi.Size() {
		// A writer died mid-line; drop the partial line before appending.
		if err := f.Truncate(end); err != nil {
			return nil, fmt.Errorf("history: repairing %s: %w", path, err)
		}
	}
	var last, first uint64
	if lastLine != nil {
		if last, err = lineSeq(lastLine); err != nil {
			return nil, fmt.Errorf("history: %s: %w", path, err)
		}
		if first, err = firstSeq(f); err != nil {
			return nil, fmt.Errorf("history: %s: %w", path, err)
		}
	}
	stored, err := storedKeys(f, end, channel, items)
	if err != nil {
		return nil, fmt.Errorf("history: %s: %w", path, err)
	}

	now := s.now().UTC().Round(0)
	entries := make([]Entry, len(items))
	seq := last
	var buf bytes.Buffer
	for i, it := range items {
		if j := firstOf[i]; j != i {
			entries[i] = entries[j]
			continue
		}
		if e, ok := stored[it.Key]; ok {
			if !bytes.Equal(e.Data, it.Data) {
				return nil, keyConflict(it.Key)
			}
			entries[i] = e
			continue
		}
		seq++
		entries[i] = newEntry(channel, seq, it.Data, now)
		appendLine(&buf, seq, now, it)
	}
	if buf.Len() == 0 {
		return entries, nil // every item was stored before
	}
	// One write: the file is opened O_APPEND, so this lands after `end`.
	if _, err := f.Write(buf.Bytes()); err != nil {
		// Undo a partial write so the ids stay unassigned.
		_ = f.Truncate(end)
		return nil, fmt.Errorf("history: appending to %s: %w", path, err)
	}

	if first == 0 {
		first = 1
	}
	count := seq - first + 1
	if count > uint64(s.max+max(s.max/4, 1)) {
		if err := s.compact(f, path, count-uint64(s.max)); err != nil {
			// The entries are stored; a failed compaction is retried next time.
			return entries, fmt.Errorf("history: compacting %s (entries were stored): %w", path, err)
		}
	}
	return entries, nil
}

// compact replaces the locked file f with a copy lacking its first drop
// lines. Processes waiting for the lock notice the rename and reopen.
func (s *DirStore) compact(f *os.File, path string, drop uint64) error {
	r := bufio.NewReader(io.NewSectionReader(f, 0, 1<<62))
	for dropped := uint64(0); dropped < drop; {
		_, err := r.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			continue // a long line: keep reading it
		}
		if err != nil {
			return err
		}
		dropped++
	}
	tmp, err := os.CreateTemp(s.dir, ".compact-*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // no-op once renamed
	if _, err := io.Copy(tmp, r); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// Since implements Store.
func (s *DirStore) Since(ctx context.Context, channel, afterID string, limit int) ([]Entry, error) {
	if err := checkChannel(channel); err != nil {
		return nil, err
	}
	after, recent, err := parseAfter(afterID)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	limit = normLimit(limit)
	path := s.path(channel)
	f, err := openLocked(path, false)
	if err != nil || f == nil {
		return nil, err
	}
	defer f.Close()

	var lines [][]byte // complete lines to decode, in order
	r := bufio.NewReader(f)
	for {
		line, err := r.ReadBytes('\n')
		if err == io.EOF {
			break // a partial last line is a crashed writer's: ignore it
		}
		if err != nil {
			return nil, fmt.Errorf("history: reading %s: %w", path, err)
		}
		if recent {
			if len(lines) == limit {
				lines = append(lines[:0], lines[1:]...)
			}
			lines = append(lines, line)
			continue
		}
		seq, err := lineSeq(line)
		if err != nil {
			return nil, fmt.Errorf("history: %s: %w", path, err)
		}
		if seq <= after {
			continue
		}
		lines = append(lines, line)
		if len(lines) == limit {
			break
		}
	}
	recs := make([]record, len(lines))
	for i, line := range lines {
		if recs[i], err = parseLine(channel, line); err != nil {
			return nil, fmt.Errorf("history: %s: %w", path, err)
		}
	}
	entries, gap := contiguous(recs, after, recent, s.now(), 0)
	if gap {
		return entries, gapError(channel, after, entries)
	}
	return entries, nil
}

// Last implements Store.
func (s *DirStore) Last(ctx context.Context, channel string) (string, error) {
	if err := checkChannel(channel); err != nil {
		return "", err
	}
	if err := ctx.Err(); err != nil {
		return "", err
	}
	path := s.path(channel)
	f, err := openLocked(path, false)
	if err != nil || f == nil {
		return "", err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return "", err
	}
	line, _, err := tail(f, fi.Size())
	if err != nil || line == nil {
		return "", err
	}
	seq, err := lineSeq(line)
	if err != nil {
		return "", fmt.Errorf("history: %s: %w", path, err)
	}
	return formatID(seq), nil
}

// openLocked opens path and locks it, exclusively to write (creating the
// file) or shared to read (nil file if it does not exist). Compaction
// renames a new file over path, so after waiting for the lock it checks it
// still holds the file at path and otherwise starts over.
func openLocked(path string, write bool) (*os.File, error) {
	flag := os.O_RDONLY
	if write {
		flag = os.O_RDWR | os.O_CREATE | os.O_APPEND
	}
	for {
		f, err := os.OpenFile(path, flag, 0o600)
		if err != nil {
			if !write && errors.Is(err, fs.ErrNotExist) {
				return nil, nil
			}
			return nil, fmt.Errorf("history: %w", err)
		}
		if err := lockFile(f, write); err != nil {
			f.Close()
			return nil, fmt.Errorf("history: locking %s: %w", path, err)
		}
		held, err := f.Stat()
		if err != nil {
			f.Close()
			return nil, err
		}
		cur, err := os.Stat(path)
		if err == nil && os.SameFile(held, cur) {
			return f, nil
		}
		f.Close()
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("history: %w", err)
		}
	}
}

// tail returns the last complete line of the file's first size bytes (nil if
// there is none) and the offset just past it.
func tail(f io.ReaderAt, size int64) (line []byte, end int64, err error) {
	const chunk = 4096
	var buf []byte // the file's bytes from off to size
	off := size
	nl := -1 // index in buf of the last '\n'
	for off > 0 {
		n := min(int64(chunk), off)
		off -= n
		b := make([]byte, n, int64(len(buf))+n)
		if _, err := f.ReadAt(b, off); err != nil {
			return nil, 0, err
		}
		buf = append(b, buf...)
		if nl < 0 {
			nl = bytes.LastIndexByte(buf, '\n')
			if nl < 0 {
				continue
			}
		} else {
			nl += int(n)
		}
		if start := bytes.LastIndexByte(buf[:nl], '\n'); start >= 0 || off == 0 {
			return buf[start+1 : nl+1], off + int64(nl) + 1, nil
		}
	}
	return nil, 0, nil
}

// firstSeq returns the sequence number on the file's first line.
func firstSeq(f io.ReaderAt) (uint64, error) {
	var head [24]byte
	n, err := f.ReadAt(head[:], 0)
	if err != nil && err != io.EOF {
		return 0, err
	}
	return lineSeq(head[:n])
}

// A line is "<seq> <unix nanoseconds> <base64 data>[ <base64url key>]\n";
// lines without a key are those of earlier versions, or of items without one.

func appendLine(buf *bytes.Buffer, seq uint64, t time.Time, it Item) {
	buf.WriteString(strconv.FormatUint(seq, 10))
	buf.WriteByte(' ')
	buf.WriteString(strconv.FormatInt(t.UnixNano(), 10))
	buf.WriteByte(' ')
	buf.WriteString(base64.StdEncoding.EncodeToString(it.Data))
	if it.Key != "" {
		buf.WriteByte(' ')
		buf.WriteString(base64.RawURLEncoding.EncodeToString([]byte(it.Key)))
	}
	buf.WriteByte('\n')
}

// storedKeys returns the entries, among the first end bytes of f, stored
// under a key of items. It reads the file only when an item has a key.
func storedKeys(f io.ReaderAt, end int64, channel string, items []Item) (map[string]Entry, error) {
	wanted := map[string]bool{} // encoded as on the lines
	for _, it := range items {
		if it.Key != "" {
			wanted[base64.RawURLEncoding.EncodeToString([]byte(it.Key))] = true
		}
	}
	stored := map[string]Entry{}
	if len(wanted) == 0 {
		return stored, nil
	}
	r := bufio.NewReader(io.NewSectionReader(f, 0, end))
	for {
		line, err := r.ReadBytes('\n')
		if err == io.EOF {
			return stored, nil
		}
		if err != nil {
			return nil, err
		}
		fields := bytes.Split(bytes.TrimSuffix(line, []byte("\n")), []byte(" "))
		if len(fields) != 4 || !wanted[string(fields[3])] {
			continue
		}
		rec, err := parseLine(channel, line)
		if err != nil {
			return nil, err
		}
		stored[rec.key] = rec.e
	}
}

func lineSeq(line []byte) (uint64, error) {
	i := bytes.IndexByte(line, ' ')
	if i < 0 {
		return 0, errors.New("corrupt history line")
	}
	seq, err := strconv.ParseUint(string(line[:i]), 10, 64)
	if err != nil || seq == 0 {
		return 0, fmt.Errorf("corrupt history line: bad id %q", truncate(string(line[:i])))
	}
	return seq, nil
}

func parseLine(channel string, line []byte) (record, error) {
	seq, err := lineSeq(line)
	if err != nil {
		return record{}, err
	}
	fields := bytes.Split(bytes.TrimSuffix(line, []byte("\n")), []byte(" "))
	if len(fields) != 3 && len(fields) != 4 {
		return record{}, fmt.Errorf("corrupt history line %d", seq)
	}
	ns, err := strconv.ParseInt(string(fields[1]), 10, 64)
	if err != nil {
		return record{}, fmt.Errorf("corrupt history line %d: bad time", seq)
	}
	data := make([]byte, base64.StdEncoding.DecodedLen(len(fields[2])))
	n, err := base64.StdEncoding.Decode(data, fields[2])
	if err != nil {
		return record{}, fmt.Errorf("corrupt history line %d: bad data", seq)
	}
	var key []byte
	if len(fields) == 4 {
		if key, err = base64.RawURLEncoding.DecodeString(string(fields[3])); err != nil || len(key) == 0 {
			return record{}, fmt.Errorf("corrupt history line %d: bad key", seq)
		}
	}
	return record{seq: seq, key: string(key), e: newEntry(channel, seq, data[:n], time.Unix(0, ns).UTC())}, nil
}
