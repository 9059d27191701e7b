//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package history

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/faas-grip/faas-grip-go/tools/moto"
)

// TestDynamoHead checks the life of a channel's head item (its counter):
// it expires with the channel's entries when the channel goes idle, and a
// channel whose head expired keeps numbering above every id it gave before.
func TestDynamoHead(t *testing.T) {
	client := motoClient(moto.Start(t))
	ctx := context.Background()

	t.Run("ttl follows the appends", func(t *testing.T) {
		table := createTable(t, client)
		now := time.Now().Truncate(time.Second)
		s := NewDynamoStore(client, table, WithRetention(2*time.Hour))
		s.now = func() time.Time { return now }
		mustAppend(t, s, "c", "a")
		first := rawAttr(t, client, table, "c", 0, "ttl")
		if want := strconv.FormatInt(now.Add(2*time.Hour).Unix(), 10); first != want {
			t.Fatalf("head ttl after the first append = %q, want %s (now + retention)", first, want)
		}
		now = now.Add(10 * time.Minute)
		mustAppend(t, s, "c", "b")
		if got, want := rawAttr(t, client, table, "c", 0, "ttl"), strconv.FormatInt(now.Add(2*time.Hour).Unix(), 10); got != want {
			t.Errorf("head ttl after the next append = %s, want %s (moved forward from %s)", got, want, first)
		}

		// Retention 0 keeps entries forever: the head too.
		s = NewDynamoStore(client, table, WithRetention(0))
		mustAppend(t, s, "c", "forever")
		if ttl := rawAttr(t, client, table, "c", 0, "ttl"); ttl != "" {
			t.Errorf("retention 0 left head ttl %s", ttl)
		}
	})

	t.Run("ids stay monotonic after the head expired", func(t *testing.T) {
		table := createTable(t, client)
		now := time.Now()
		s := NewDynamoStore(client, table, WithRetention(time.Hour))
		s.now = func() time.Time { return now }
		old := mustAppend(t, s, "c", "a", "b", "c")

		// The channel went idle; DynamoDB's TTL deleted the head and the
		// first entry, the others linger (TTL deletes lazily, in any order).
		now = now.Add(2 * time.Hour)
		deleteItem(t, client, table, "c", "0")
		deleteItem(t, client, table, "c", old[0].ID)

		fresh := mustAppendItems(t, s, "c", keyed("m1", "d")...)[0]
		if !idAfter(fresh.ID, old[2].ID) {
			t.Fatalf("id after the head expired = %s, not above the old ids %v: a client that saw %s would take it for one it has", fresh.ID, ids(old), old[2].ID)
		}
		if fresh.PrevID != "" {
			t.Errorf("first entry of the new numbering has PrevID %q, want \"\"", fresh.PrevID)
		}
		if last, _ := s.Last(ctx, "c"); last != fresh.ID {
			t.Errorf("Last = %s, want %s", last, fresh.ID)
		}
		next := mustAppend(t, s, "c", "e")[0]
		if next.PrevID != fresh.ID {
			t.Errorf("next entry: PrevID %s, want %s", next.PrevID, fresh.ID)
		}

		// A client of the old numbering is told it may have missed items.
		for _, after := range []string{old[0].ID, old[2].ID} {
			got, err := s.Since(ctx, "c", after, 0)
			if !errors.Is(err, ErrGap) || !slices.Contains(ids(got), fresh.ID) {
				t.Errorf("Since %s (old numbering) = %v, %v; want the new entries and ErrGap", after, ids(got), err)
			}
		}
		// Nor is one asking for the recent ones; from the start ("0") the
		// expired "a" is missed, but nothing before the new numbering.
		if got, err := s.Since(ctx, "c", "", 0); err != nil || !slices.Equal(datas(got), []string{"b", "c", "d", "e"}) {
			t.Errorf("Since \"\" = %q, %v", datas(got), err)
		}
		if got, err := s.Since(ctx, "c", "0", 0); !errors.Is(err, ErrGap) || !slices.Equal(datas(got), []string{"b", "c", "d", "e"}) {
			t.Errorf("Since 0 with a expired = %q, %v; want ErrGap", datas(got), err)
		}
		deleteItem(t, client, table, "c", old[1].ID)
		deleteItem(t, client, table, "c", old[2].ID)
		if got, err := s.Since(ctx, "c", "0", 0); err != nil || !slices.Equal(datas(got), []string{"d", "e"}) {
			t.Errorf("Since 0 after the old entries went = %q, %v", datas(got), err)
		}
		// A redelivered message keeps its entry, PrevID included.
		if again := mustAppendItems(t, s, "c", keyed("m1", "d")...)[0]; again.ID != fresh.ID || again.PrevID != "" {
			t.Errorf("repeated key: id %s prev %q, want %s and \"\"", again.ID, again.PrevID, fresh.ID)
		}
	})
}

// deleteItem deletes an item as DynamoDB's TTL would.
func deleteItem(t *testing.T, c *dynamodb.Client, table, channel, seq string) {
	t.Helper()
	if _, err := c.DeleteItem(context.Background(), &dynamodb.DeleteItemInput{
		TableName: aws.String(table),
		Key:       map[string]types.AttributeValue{"channel": &types.AttributeValueMemberS{Value: channel}, "seq": num(seq)},
	}); err != nil {
		t.Fatal(err)
	}
}

// idAfter reports whether decimal id a is above b.
func idAfter(a, b string) bool {
	x, err1 := strconv.ParseUint(a, 10, 64)
	y, err2 := strconv.ParseUint(b, 10, 64)
	return err1 == nil && err2 == nil && x > y
}
