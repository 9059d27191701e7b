package history

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"unicode/utf8"
)

// Deliveries remembers which publish endpoints (GRIP proxies) accepted a
// message, so that a message redelivered after some of them failed is
// published again to the others only: an endpoint that already accepted
// it would deliver it twice to its clients.
//
// Keys name messages (an SQS message id, or a channel and idempotency
// key); endpoints are opaque IDs without secrets (grip's
// Publisher.EndpointIDs).
// DirStore and DynamoStore implement it beside the history, in the same
// directory or table, kept as long as the history's entries.
type Deliveries interface {
	// Delivered returns the endpoints recorded for each key; keys with
	// none are absent from the map.
	Delivered(ctx context.Context, keys ...string) (map[string][]string, error)

	// MarkDelivered records, for each key, endpoints that accepted it, in
	// addition to those already recorded.
	MarkDelivered(ctx context.Context, delivered map[string][]string) error
}

// checkDeliveryKey applies Item.Key's rules to a delivery key.
func checkDeliveryKey(key string) error {
	if key == "" || len(key) > 2*MaxKeyLen || !utf8.ValidString(key) {
		return fmt.Errorf("%w: delivery key %q (want 1-%d bytes of UTF-8)", ErrInvalidKey, truncate(key), 2*MaxKeyLen)
	}
	return nil
}

// deliveryName is a key's fixed-size stand-in in file names and item keys.
func deliveryName(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:16])
}

// mergeIDs adds ids to have, without repeats, keeping the first order.
func mergeIDs(have []string, ids ...string) []string {
	for _, id := range ids {
		if id != "" && !slices.Contains(have, id) {
			have = append(have, id)
		}
	}
	return have
}
