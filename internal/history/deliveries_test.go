package history

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/faas-grip/faas-grip-go/internal/grip"
	"github.com/faas-grip/faas-grip-go/tools/moto"
)

var (
	_ Deliveries = (*DirStore)(nil)
	_ Deliveries = (*DynamoStore)(nil)
)

func TestDirStoreDeliveries(t *testing.T) {
	s, err := NewDirStore(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	deliveriesBasics(t, s)
	// Records live apart from the channels: a channel named like the
	// directory is untouched.
	if _, err := s.Append(context.Background(), deliveriesDir, []byte("x")); err != nil {
		t.Errorf("appending to channel %q: %v", deliveriesDir, err)
	}
}

func TestDynamoStoreDeliveries(t *testing.T) {
	client := motoClient(moto.Start(t))
	table := createTable(t, client)
	s := NewDynamoStore(client, table, countFromOne)
	deliveriesBasics(t, s)
	// The records live under partitions no channel can take (ValidChannel
	// refuses ';'), and a channel's numbering is not disturbed by them.
	out, err := client.Scan(context.Background(), &dynamodb.ScanInput{TableName: aws.String(table)})
	if err != nil {
		t.Fatal(err)
	}
	records := 0
	for _, item := range out.Items {
		ch, _ := item[attrChannel].(*types.AttributeValueMemberS)
		if ch == nil || !strings.HasPrefix(ch.Value, deliveryPartition) {
			continue
		}
		records++
		if grip.ValidChannel(ch.Value) == nil {
			t.Errorf("delivery record under %q, a name a channel could take", ch.Value)
		}
	}
	if records == 0 {
		t.Errorf("no delivery record found in the table (%d items)", len(out.Items))
	}
	if entries, err := s.Append(context.Background(), "news", []byte("x")); err != nil || len(entries) != 1 || entries[0].ID != "1" {
		t.Errorf("first entry of news after the records: %+v, %v; want id 1", entries, err)
	}
}

func deliveriesBasics(t *testing.T, d Deliveries) {
	t.Helper()
	ctx := context.Background()
	got, err := d.Delivered(ctx, "sqs:m1", "sqs:m2")
	if err != nil || len(got) != 0 {
		t.Fatalf("Delivered before any mark = %v, %v", got, err)
	}
	if err := d.MarkDelivered(ctx, map[string][]string{"sqs:m1": {"ep-a"}, "sqs:m2": {}}); err != nil {
		t.Fatal(err)
	}
	if err := d.MarkDelivered(ctx, map[string][]string{"sqs:m1": {"ep-b", "ep-a"}}); err != nil {
		t.Fatal(err)
	}
	got, err = d.Delivered(ctx, "sqs:m1", "sqs:m2", "sqs:m1")
	if err != nil {
		t.Fatal(err)
	}
	ids := slices.Sorted(slices.Values(got["sqs:m1"]))
	if !slices.Equal(ids, []string{"ep-a", "ep-b"}) || len(got) != 1 {
		t.Errorf("Delivered = %v, want sqs:m1: [ep-a ep-b] only", got)
	}
	if _, err := d.Delivered(ctx, strings.Repeat("k", 2*MaxKeyLen+1)); !errors.Is(err, ErrInvalidKey) {
		t.Errorf("over-long key: %v, want ErrInvalidKey", err)
	}
	if err := d.MarkDelivered(ctx, map[string][]string{"": {"ep-a"}}); !errors.Is(err, ErrInvalidKey) {
		t.Errorf("empty key: %v, want ErrInvalidKey", err)
	}
}
