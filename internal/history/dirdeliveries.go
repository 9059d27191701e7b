package history

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// deliveriesDir holds a DirStore's delivery records, one file per key
// listing an endpoint per line. Channel files end in ".log", so no
// channel maps to this name.
const deliveriesDir = "delivered"

// deliveriesLock is the file writers lock in deliveriesDir, so that pruning
// never removes a record another process is adding to. Record names are
// hex, so no record takes this name.
const deliveriesLock = ".lock"

func (s *DirStore) deliveryPath(key string) string {
	return filepath.Join(s.dir, deliveriesDir, deliveryName(key))
}

// Delivered implements Deliveries.
func (s *DirStore) Delivered(ctx context.Context, keys ...string) (map[string][]string, error) {
	out := map[string][]string{}
	for _, key := range keys {
		if err := checkDeliveryKey(key); err != nil {
			return nil, err
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		b, err := os.ReadFile(s.deliveryPath(key))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("history: reading delivery record: %w", err)
		}
		// A writer that died mid-line leaves a partial last line: a
		// partial id matches no endpoint, so it costs at most a duplicate.
		if ids := mergeIDs(nil, strings.Split(string(b), "\n")...); len(ids) > 0 {
			out[key] = ids
		}
	}
	return out, nil
}

// MarkDelivered implements Deliveries: one appending write per key, under
// an exclusive lock on the records, each record's modification time set to
// the store's clock. Then it prunes the records as the history's channels
// are compacted: grown a quarter beyond MaxEntries, the directory keeps
// the MaxEntries marked last. A record is needed while its message may be
// redelivered, seconds to minutes, so that many outlast any local queue.
func (s *DirStore) MarkDelivered(ctx context.Context, delivered map[string][]string) error {
	if len(delivered) == 0 {
		return nil
	}
	dir := filepath.Join(s.dir, deliveriesDir)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("history: %w", err)
	}
	lock, err := os.OpenFile(filepath.Join(dir, deliveriesLock), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("history: %w", err)
	}
	defer lock.Close() // also releases the lock
	if err := lockFile(lock, true); err != nil {
		return fmt.Errorf("history: locking delivery records: %w", err)
	}
	for key, ids := range delivered {
		if err := checkDeliveryKey(key); err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		ids = mergeIDs(nil, ids...)
		if len(ids) == 0 {
			continue
		}
		path := s.deliveryPath(key)
		if err := appendFile(path, strings.Join(ids, "\n")+"\n"); err != nil {
			return fmt.Errorf("history: writing delivery record: %w", err)
		}
		// The store's clock, not the file system's coarse one, orders pruning.
		now := s.now()
		if err := os.Chtimes(path, now, now); err != nil {
			return fmt.Errorf("history: writing delivery record: %w", err)
		}
	}
	if err := s.pruneDeliveries(dir); err != nil {
		// The records are written; pruning is tried again on the next mark.
		return fmt.Errorf("history: pruning delivery records (records were written): %w", err)
	}
	return nil
}

// pruneDeliveries removes the records marked longest ago once there are a
// quarter more than MaxEntries, keeping MaxEntries (the thresholds of
// channel compaction). The caller holds the records' lock.
func (s *DirStore) pruneDeliveries(dir string) error {
	names, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	type record struct {
		name string
		mod  time.Time
	}
	var recs []record
	for _, e := range names {
		if len(e.Name()) != len(deliveryName("")) || !e.Type().IsRegular() {
			continue // the lock, a stray file
		}
		fi, err := e.Info()
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return err
		}
		recs = append(recs, record{e.Name(), fi.ModTime()})
	}
	if len(recs) <= s.max+max(s.max/4, 1) {
		return nil
	}
	slices.SortFunc(recs, func(a, b record) int {
		return cmp.Or(a.mod.Compare(b.mod), strings.Compare(a.name, b.name))
	})
	for _, r := range recs[:len(recs)-s.max] {
		if err := os.Remove(filepath.Join(dir, r.name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	return nil
}

func appendFile(path, text string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	_, err = f.WriteString(text)
	return errors.Join(err, f.Close())
}
