package history

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Defaults for DynamoStore.
const (
	DefaultRetention = 24 * time.Hour
	DefaultSettle    = 30 * time.Second
)

// Attribute names of the DynamoDB table. The key schema is channel (S,
// partition key) and seq (N, sort key); TTL is enabled on ttl.
const (
	attrChannel = "channel"
	attrSeq     = "seq"
	attrLast    = "last"  // the head item's counter (seq 0)
	attrData    = "data"  // entries
	attrTime    = "time"  // entries and key items: Unix nanoseconds
	attrTTL     = "ttl"   // every item but a delivery record without retention: Unix seconds
	attrStart   = "start" // entries and key items: true on the first entry of a numbering
	attrEntry   = "entry" // key items: the seq of the entry stored under the key
	attrKey     = "key"   // key items: the key itself
	attrSum     = "sum"   // key items: SHA-256 of the entry's data
)

// maxItemBytes is DynamoDB's item size limit; itemOverhead a generous bound
// for everything in an entry's item but the data and the channel name.
const (
	maxItemBytes = 400 * 1024
	itemOverhead = 128
)

// dynamoAPI is the part of *dynamodb.Client the store uses.
type dynamoAPI interface {
	TransactGetItems(context.Context, *dynamodb.TransactGetItemsInput, ...func(*dynamodb.Options)) (*dynamodb.TransactGetItemsOutput, error)
	TransactWriteItems(context.Context, *dynamodb.TransactWriteItemsInput, ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error)
	Query(context.Context, *dynamodb.QueryInput, ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
	GetItem(context.Context, *dynamodb.GetItemInput, ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
}

// DynamoStore keeps history in one DynamoDB table shared by every channel
// and every Lambda instance.
//
// A channel's partition holds its head item (seq 0) with the counter, its
// entries (seq 1, 2, ...) and a key item per idempotency key (a negative
// seq derived from the key) naming the entry stored under it. An append
// reads the counter and the items' keys (TransactGetItems), then writes the
// new entries, their key items and the new counter in one transaction on
// the condition that the counter did not move (TransactWriteItems). A
// concurrent append makes the condition fail and the append starts over;
// a failed append stores nothing, so it leaves no hole behind.
//
// Entries and key items carry a ttl attribute so DynamoDB's TTL deletes
// them after the retention period (DynamoDB deletes expired items lazily,
// so they may be returned a while longer). The head item's ttl moves with
// every append: an active channel keeps its counter, an idle one loses it
// with its entries. Numbering then starts over above a floor taken from
// the clock (Unix microseconds), never at 1: a client holding an id of the
// earlier numbering must not take a new entry for one it has seen (see
// clockFloor).
//
// Writers of the earlier design reserved ids first and wrote entries
// next, so a reader could briefly see a later entry before an earlier one.
// Since still stops before such a hole while the entry after it is younger
// than the settle time; an older hole (expired entries, or such a writer
// that failed) is reported as ErrGap.
type DynamoStore struct {
	api       dynamoAPI
	table     string
	retention time.Duration
	settle    time.Duration

	now         func() time.Time
	floor       func(time.Time) uint64 // where a channel without a head starts numbering
	retryBase   time.Duration          // first wait before starting over after a concurrent append
	maxAttempts int                    // tries of one transaction
}

// DynamoOption configures a DynamoStore.
type DynamoOption func(*DynamoStore)

// WithRetention sets how long entries are kept: their ttl attribute is the
// append time plus d (default DefaultRetention), and so is the head's. d <= 0
// writes no ttl, so entries and head are kept until deleted by other means.
func WithRetention(d time.Duration) DynamoOption {
	return func(s *DynamoStore) { s.retention = d }
}

// WithSettle sets how long Since waits for a missing entry to be written
// by a concurrent writer of the earlier design before reporting it as a gap
// (default DefaultSettle).
func WithSettle(d time.Duration) DynamoOption {
	return func(s *DynamoStore) {
		if d >= 0 {
			s.settle = d
		}
	}
}

// NewDynamoStore returns a store using the given table, which must have
// the partition key channel (S), the sort key seq (N), and should have TTL
// enabled on the attribute ttl.
func NewDynamoStore(client *dynamodb.Client, table string, opts ...DynamoOption) *DynamoStore {
	return newDynamoStore(client, table, opts...)
}

func newDynamoStore(api dynamoAPI, table string, opts ...DynamoOption) *DynamoStore {
	s := &DynamoStore{
		api:         api,
		table:       table,
		retention:   DefaultRetention,
		settle:      DefaultSettle,
		now:         time.Now,
		floor:       clockFloor,
		retryBase:   10 * time.Millisecond,
		maxAttempts: 10,
	}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Table returns the store's table name.
func (s *DynamoStore) Table() string { return s.table }

func headKey(channel string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		attrChannel: &types.AttributeValueMemberS{Value: channel},
		attrSeq:     &types.AttributeValueMemberN{Value: "0"},
	}
}

// Since implements Store with strongly consistent Queries.
func (s *DynamoStore) Since(ctx context.Context, channel, afterID string, limit int) ([]Entry, error) {
	if err := checkChannel(channel); err != nil {
		return nil, err
	}
	after, recent, err := parseAfter(afterID)
	if err != nil {
		return nil, err
	}
	limit = normLimit(limit)
	in := &dynamodb.QueryInput{
		TableName:                aws.String(s.table),
		KeyConditionExpression:   aws.String("#ch = :ch AND #seq > :after"),
		ExpressionAttributeNames: map[string]string{"#ch": attrChannel, "#seq": attrSeq},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":ch":    &types.AttributeValueMemberS{Value: channel},
			":after": &types.AttributeValueMemberN{Value: strconv.FormatUint(after, 10)},
		},
		ScanIndexForward: aws.Bool(!recent), // recent: newest first, reversed below
		ConsistentRead:   aws.Bool(true),
	}
	var recs []record
	for len(recs) < limit {
		in.Limit = aws.Int32(int32(min(limit-len(recs), math.MaxInt32)))
		out, err := s.api.Query(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("history: querying table %s: %w", s.table, err)
		}
		for _, item := range out.Items {
			r, err := itemRecord(channel, item)
			if err != nil {
				return nil, fmt.Errorf("history: table %s: %w", s.table, err)
			}
			recs = append(recs, r)
		}
		if len(out.LastEvaluatedKey) == 0 {
			break
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
	if recent {
		for i, j := 0, len(recs)-1; i < j; i, j = i+1, j-1 {
			recs[i], recs[j] = recs[j], recs[i]
		}
	}
	entries, gap := contiguous(recs, after, recent, s.now(), s.settle)
	if gap {
		return entries, gapError(channel, after, entries)
	}
	return entries, nil
}

// Last implements Store: the head item's counter, read consistently. The
// newest id may belong to an Append still writing its entries.
func (s *DynamoStore) Last(ctx context.Context, channel string) (string, error) {
	if err := checkChannel(channel); err != nil {
		return "", err
	}
	out, err := s.api.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:                aws.String(s.table),
		Key:                      headKey(channel),
		ConsistentRead:           aws.Bool(true),
		ProjectionExpression:     aws.String("#last"),
		ExpressionAttributeNames: map[string]string{"#last": attrLast},
	})
	if err != nil {
		return "", fmt.Errorf("history: reading table %s: %w", s.table, err)
	}
	if _, ok := out.Item[attrLast]; !ok {
		return "", nil
	}
	last, err := attrUint(out.Item, attrLast)
	if err != nil {
		return "", fmt.Errorf("history: table %s: %w", s.table, err)
	}
	return formatID(last), nil
}

func attrUint(item map[string]types.AttributeValue, name string) (uint64, error) {
	v, ok := item[name].(*types.AttributeValueMemberN)
	if !ok {
		return 0, fmt.Errorf("attribute %s missing or not a number", name)
	}
	n, err := strconv.ParseUint(v.Value, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("attribute %s: %w", name, err)
	}
	return n, nil
}

func itemRecord(channel string, item map[string]types.AttributeValue) (record, error) {
	seq, err := attrUint(item, attrSeq)
	if err != nil || seq == 0 {
		return record{}, errors.Join(errors.New("bad entry item"), err)
	}
	data, ok := item[attrData].(*types.AttributeValueMemberB)
	if !ok {
		return record{}, fmt.Errorf("entry %d: attribute %s missing or not binary", seq, attrData)
	}
	ns, err := attrUint(item, attrTime)
	if err != nil {
		return record{}, fmt.Errorf("entry %d: %w", seq, err)
	}
	r := record{seq: seq, e: newEntry(channel, seq, data.Value, time.Unix(0, int64(ns)).UTC())}
	if startsNumbering(item) {
		r.start, r.e.PrevID = true, ""
	}
	return r, nil
}

// startsNumbering reports an entry (or key item) marked as the first of
// its channel's numbering.
func startsNumbering(item map[string]types.AttributeValue) bool {
	b, ok := item[attrStart].(*types.AttributeValueMemberBOOL)
	return ok && b.Value
}

// clockFloor is where a channel whose head item is absent (new, or expired
// with its entries) starts numbering: Unix microseconds. Its head expires
// only after the channel was idle for the retention period, so the
// earlier numbering stayed below this floor unless it averaged more than
// a million ids per second, far beyond one DynamoDB item's write rate.
// Ids stay below 2^53 (exact in JavaScript numbers) until the year 2255.
func clockFloor(t time.Time) uint64 {
	return uint64(max(t.UnixMicro(), 0))
}
