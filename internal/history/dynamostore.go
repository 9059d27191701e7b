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
	attrLast    = "last" // the head item's counter (seq 0)
	attrData    = "data"
	attrTime    = "time" // Unix nanoseconds
	attrTTL     = "ttl"  // Unix seconds
)

// maxItemBytes is DynamoDB's item size limit; itemOverhead a generous bound
// for everything in an entry's item but the data and the channel name.
const (
	maxItemBytes = 400 * 1024
	itemOverhead = 128
	batchSize    = 25 // BatchWriteItem's limit
)

// dynamoAPI is the part of *dynamodb.Client the store uses.
type dynamoAPI interface {
	UpdateItem(context.Context, *dynamodb.UpdateItemInput, ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	BatchWriteItem(context.Context, *dynamodb.BatchWriteItemInput, ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error)
	Query(context.Context, *dynamodb.QueryInput, ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
	GetItem(context.Context, *dynamodb.GetItemInput, ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
}

// DynamoStore keeps history in one DynamoDB table shared by every channel
// and every Lambda instance.
//
// Each channel has a head item (seq 0) whose counter Append increments by
// the number of entries with one UpdateItem, reserving a range of ids
// atomically; the entries are then written with BatchWriteItem. Entries
// carry a ttl attribute so DynamoDB's TTL deletes them after the retention
// period (DynamoDB deletes expired items lazily, so they may be returned a
// while longer). The head item has no ttl and keeps the counter forever.
//
// Because reserving and writing are two steps, a reader may briefly see a
// later entry before an earlier one is written. Since stops before such a
// hole while the entry after it is younger than the settle time; an older
// hole (expired entries, or an Append that failed after reserving its ids)
// is reported as ErrGap.
type DynamoStore struct {
	api       dynamoAPI
	table     string
	retention time.Duration
	settle    time.Duration

	now         func() time.Time
	retryBase   time.Duration // first wait before resending unprocessed items
	maxAttempts int           // BatchWriteItem calls per batch of 25
}

// DynamoOption configures a DynamoStore.
type DynamoOption func(*DynamoStore)

// WithRetention sets how long entries are kept: their ttl attribute is the
// append time plus d (default DefaultRetention). d <= 0 writes no ttl, so
// entries are kept until deleted by other means.
func WithRetention(d time.Duration) DynamoOption {
	return func(s *DynamoStore) { s.retention = d }
}

// WithSettle sets how long Since waits for a missing entry to be written
// by a concurrent Append before reporting it as a gap (default
// DefaultSettle). Set it above the longest time an Append can take.
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
		retryBase:   25 * time.Millisecond,
		maxAttempts: 8,
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

// Append implements Store. It reserves the ids with one UpdateItem and
// writes the entries with one BatchWriteItem per 25 (resending unprocessed
// items a bounded number of times). If writing fails after the ids were
// reserved, those ids stay unused and readers eventually see a gap.
func (s *DynamoStore) Append(ctx context.Context, channel string, data ...[]byte) ([]Entry, error) {
	if err := checkChannel(channel); err != nil {
		return nil, err
	}
	if len(data) == 0 {
		return nil, nil
	}
	for i, d := range data {
		if len(d)+len(channel)+itemOverhead > maxItemBytes {
			return nil, fmt.Errorf("%w: item %d has %d bytes, DynamoDB allows about %d", ErrTooLarge, i, len(d), maxItemBytes-len(channel)-itemOverhead)
		}
	}

	out, err := s.api.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(s.table),
		Key:                       headKey(channel),
		UpdateExpression:          aws.String("ADD #last :n"),
		ExpressionAttributeNames:  map[string]string{"#last": attrLast},
		ExpressionAttributeValues: map[string]types.AttributeValue{":n": &types.AttributeValueMemberN{Value: strconv.Itoa(len(data))}},
		ReturnValues:              types.ReturnValueUpdatedNew,
	})
	if err != nil {
		return nil, fmt.Errorf("history: reserving ids in table %s: %w", s.table, err)
	}
	last, err := attrUint(out.Attributes, attrLast)
	if err == nil && last < uint64(len(data)) {
		err = fmt.Errorf("counter %d below the %d ids just added", last, len(data))
	}
	if err != nil {
		return nil, fmt.Errorf("history: reserving ids in table %s: %w", s.table, err)
	}

	now := s.now().UTC().Round(0)
	first := last - uint64(len(data)) + 1
	entries := make([]Entry, len(data))
	reqs := make([]types.WriteRequest, len(data))
	for i, d := range data {
		seq := first + uint64(i)
		entries[i] = newEntry(channel, seq, d, now)
		item := map[string]types.AttributeValue{
			attrChannel: &types.AttributeValueMemberS{Value: channel},
			attrSeq:     &types.AttributeValueMemberN{Value: strconv.FormatUint(seq, 10)},
			attrData:    &types.AttributeValueMemberB{Value: d},
			attrTime:    &types.AttributeValueMemberN{Value: strconv.FormatInt(now.UnixNano(), 10)},
		}
		if s.retention > 0 {
			item[attrTTL] = &types.AttributeValueMemberN{Value: strconv.FormatInt(now.Add(s.retention).Unix(), 10)}
		}
		reqs[i] = types.WriteRequest{PutRequest: &types.PutRequest{Item: item}}
	}
	for len(reqs) > 0 {
		n := min(len(reqs), batchSize)
		if err := s.writeBatch(ctx, reqs[:n]); err != nil {
			return nil, fmt.Errorf("history: writing ids %d-%d to table %s: %w", first, last, s.table, err)
		}
		reqs = reqs[n:]
	}
	return entries, nil
}

func (s *DynamoStore) writeBatch(ctx context.Context, reqs []types.WriteRequest) error {
	pending := map[string][]types.WriteRequest{s.table: reqs}
	wait := s.retryBase
	for attempt := 1; ; attempt++ {
		out, err := s.api.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: pending})
		if err != nil {
			return err
		}
		left := len(out.UnprocessedItems[s.table])
		if left == 0 {
			return nil
		}
		if attempt >= s.maxAttempts {
			return fmt.Errorf("%d items still unprocessed after %d attempts (throttled?)", left, attempt)
		}
		pending = out.UnprocessedItems
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
		wait = min(2*wait, 2*time.Second)
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
	return record{seq: seq, e: newEntry(channel, seq, data.Value, time.Unix(0, int64(ns)).UTC())}, nil
}
