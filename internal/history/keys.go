package history

import (
	"bytes"
	"fmt"
	"unicode/utf8"
)

// MaxKeyLen is the longest Item.Key, in bytes.
const MaxKeyLen = 256

// itemsOf wraps data as items without keys.
func itemsOf(data [][]byte) []Item {
	items := make([]Item, len(data))
	for i, d := range data {
		items[i] = Item{Data: d}
	}
	return items
}

// dedupe checks the items' keys and returns, for each item, the index of
// the first item of the call with the same key: its own index when it has
// no key or the key is new. Repeats are stored once, as their first.
func dedupe(items []Item) ([]int, error) {
	firstOf := make([]int, len(items))
	seen := map[string]int{}
	for i, it := range items {
		firstOf[i] = i
		if it.Key == "" {
			continue
		}
		if len(it.Key) > MaxKeyLen || !utf8.ValidString(it.Key) {
			return nil, fmt.Errorf("%w: item %d: %q (want 1-%d bytes of UTF-8)", ErrInvalidKey, i, truncate(it.Key), MaxKeyLen)
		}
		if j, ok := seen[it.Key]; ok {
			if !bytes.Equal(items[j].Data, it.Data) {
				return nil, keyConflict(it.Key)
			}
			firstOf[i] = j
			continue
		}
		seen[it.Key] = i
	}
	return firstOf, nil
}

func keyConflict(key string) error {
	return fmt.Errorf("%w: key %q", ErrKeyConflict, truncate(key))
}
