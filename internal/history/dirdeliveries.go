package history

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// deliveriesDir holds a DirStore's delivery records, one file per key
// listing an endpoint per line. Channel files end in ".log", so no
// channel maps to this name.
const deliveriesDir = "delivered"

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

// MarkDelivered implements Deliveries: one appending write per key, which
// concurrent writers cannot interleave on a local file system.
func (s *DirStore) MarkDelivered(ctx context.Context, delivered map[string][]string) error {
	if len(delivered) == 0 {
		return nil
	}
	if err := os.MkdirAll(filepath.Join(s.dir, deliveriesDir), 0o700); err != nil {
		return fmt.Errorf("history: %w", err)
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
		if err := appendFile(s.deliveryPath(key), strings.Join(ids, "\n")+"\n"); err != nil {
			return fmt.Errorf("history: writing delivery record: %w", err)
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
