package history

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"math/big"
	mrand "math/rand/v2"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Limits on one transaction: DynamoDB's for writes and size; 25 reads
// (the counter and 24 keys) was its read limit before 2022, and still is
// moto's and DynamoDB Local's.
const (
	maxTxWrites = 100
	maxTxReads  = 25
	maxTxBytes  = 4_000_000
)

// Append implements Store.
func (s *DynamoStore) Append(ctx context.Context, channel string, data ...[]byte) ([]Entry, error) {
	return s.AppendItems(ctx, channel, itemsOf(data)...)
}

// AppendItems implements Store with one TransactGetItems and one
// TransactWriteItems per transaction. A call needing more than 100 writes
// (an entry is one, its key item one more), 24 keys or 4 MB is split into
// several transactions, each numbered when it commits.
func (s *DynamoStore) AppendItems(ctx context.Context, channel string, items ...Item) ([]Entry, error) {
	if err := checkChannel(channel); err != nil {
		return nil, err
	}
	firstOf, err := dedupe(items)
	if err != nil || len(items) == 0 {
		return nil, err
	}
	for i, it := range items {
		if len(it.Data)+len(channel)+itemOverhead > maxItemBytes {
			return nil, fmt.Errorf("%w: item %d has %d bytes, DynamoDB allows about %d", ErrTooLarge, i, len(it.Data), maxItemBytes-len(channel)-itemOverhead)
		}
	}
	entries := make([]Entry, len(items))
	for _, part := range txParts(channel, items, firstOf) {
		if err := s.appendPart(ctx, channel, items, part, entries); err != nil {
			return nil, fmt.Errorf("history: appending to table %s: %w", s.table, err)
		}
	}
	for i, j := range firstOf {
		entries[i] = entries[j]
	}
	return entries, nil
}

// txParts splits the items to store (the first of each key) into parts
// that fit one transaction each, the counter's update included.
func txParts(channel string, items []Item, firstOf []int) [][]int {
	var parts [][]int
	var part []int
	writes, reads, size := 1, 1, 0 // the counter
	for i, it := range items {
		if firstOf[i] != i {
			continue
		}
		w, r, n := 1, 0, len(it.Data)+len(channel)+itemOverhead
		if it.Key != "" {
			w, r, n = 2, 1, n+len(channel)+len(it.Key)+itemOverhead
		}
		if len(part) > 0 && (writes+w > maxTxWrites || reads+r > maxTxReads || size+n > maxTxBytes) {
			parts = append(parts, part)
			part, writes, reads, size = nil, 1, 1, 0
		}
		part = append(part, i)
		writes, reads, size = writes+w, reads+r, size+n
	}
	if len(part) > 0 {
		parts = append(parts, part)
	}
	return parts
}

// appendPart stores items[part], starting over (with jittered backoff)
// while concurrent appends to the channel get there first.
func (s *DynamoStore) appendPart(ctx context.Context, channel string, items []Item, part []int, entries []Entry) error {
	wait := s.retryBase
	for attempt := 1; ; attempt++ {
		err := s.tryAppend(ctx, channel, items, part, entries)
		if !contended(err) {
			return err
		}
		if attempt >= s.maxAttempts {
			return fmt.Errorf("other appends to the channel came first %d times: %w", attempt, err)
		}
		if err := sleep(ctx, wait/2+mrand.N(wait/2+1)); err != nil {
			return err
		}
		wait = min(2*wait, time.Second)
	}
}

// tryAppend reads the channel's counter and the part's key items, then
// writes the new entries, their key items and the new counter in one
// transaction conditional on the counter not having moved.
func (s *DynamoStore) tryAppend(ctx context.Context, channel string, items []Item, part []int, entries []Entry) error {
	gets := []types.TransactGetItem{{Get: &types.Get{TableName: aws.String(s.table), Key: headKey(channel)}}}
	for _, i := range part {
		if k := items[i].Key; k != "" {
			gets = append(gets, types.TransactGetItem{Get: &types.Get{TableName: aws.String(s.table), Key: keyItemKey(channel, k)}})
		}
	}
	read, err := s.api.TransactGetItems(ctx, &dynamodb.TransactGetItemsInput{TransactItems: gets})
	if err != nil {
		return err
	}
	if len(read.Responses) != len(gets) {
		return fmt.Errorf("TransactGetItems answered %d of %d items", len(read.Responses), len(gets))
	}
	now := s.now().UTC().Round(0)
	var last uint64
	head := read.Responses[0].Item
	if head != nil {
		if last, err = attrUint(head, attrLast); err != nil {
			return err
		}
	} else {
		last = s.floor(now) // new channel, or its head expired: see clockFloor
	}
	keyItems := read.Responses[1:]

	seq := last
	var writes []types.TransactWriteItem
	for _, i := range part {
		it := items[i]
		if it.Key != "" {
			found := keyItems[0].Item
			keyItems = keyItems[1:]
			if found != nil {
				if entries[i], err = keyEntry(channel, it, found); err != nil {
					return err
				}
				continue
			}
		}
		seq++
		start := head == nil && seq == last+1
		entries[i] = newEntry(channel, seq, it.Data, now)
		if start {
			entries[i].PrevID = ""
		}
		writes = append(writes, s.puts(channel, seq, it, now, start)...)
	}
	if seq == last {
		return nil // every item was stored before
	}
	writes = append(writes, s.setCounter(channel, head == nil, last, seq, now))
	_, err = s.api.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{
		TransactItems: writes,
		// Makes the SDK's own retries of this request (after a timeout, say)
		// harmless: DynamoDB applies a token once.
		ClientRequestToken: aws.String(rand.Text()),
	})
	return err
}

// puts writes an entry, and its key item when it has a key; start marks
// the first entry of a numbering (its PrevID is "").
func (s *DynamoStore) puts(channel string, seq uint64, it Item, now time.Time, start bool) []types.TransactWriteItem {
	entry := map[string]types.AttributeValue{
		attrChannel: &types.AttributeValueMemberS{Value: channel},
		attrSeq:     numAttr(strconv.FormatUint(seq, 10)),
		attrData:    &types.AttributeValueMemberB{Value: it.Data},
		attrTime:    numAttr(strconv.FormatInt(now.UnixNano(), 10)),
	}
	if start {
		entry[attrStart] = &types.AttributeValueMemberBOOL{Value: true}
	}
	s.setTTL(entry, now)
	puts := []types.TransactWriteItem{{Put: &types.Put{TableName: aws.String(s.table), Item: entry}}}
	if it.Key == "" {
		return puts
	}
	sum := sha256.Sum256(it.Data)
	key := keyItemKey(channel, it.Key)
	key[attrEntry] = numAttr(strconv.FormatUint(seq, 10))
	key[attrKey] = &types.AttributeValueMemberS{Value: it.Key}
	key[attrSum] = &types.AttributeValueMemberB{Value: sum[:]}
	key[attrTime] = entry[attrTime]
	if start {
		key[attrStart] = entry[attrStart]
	}
	s.setTTL(key, now)
	return append(puts, types.TransactWriteItem{Put: &types.Put{
		TableName:                aws.String(s.table),
		Item:                     key,
		ConditionExpression:      aws.String("attribute_not_exists(#seq)"),
		ExpressionAttributeNames: map[string]string{"#seq": attrSeq},
	}})
}

// setTTL lets DynamoDB's TTL delete the item after the retention period.
func (s *DynamoStore) setTTL(item map[string]types.AttributeValue, now time.Time) {
	if s.retention > 0 {
		item[attrTTL] = numAttr(strconv.FormatInt(now.Add(s.retention).Unix(), 10))
	}
}

// setCounter moves the channel's counter from one value to another, on the
// condition that it still holds the first (that there is no head, for a
// fresh one), and moves the head's ttl with the entries': an idle channel's
// head expires with them.
func (s *DynamoStore) setCounter(channel string, fresh bool, from, to uint64, now time.Time) types.TransactWriteItem {
	cond := "#last = :from"
	names := map[string]string{"#last": attrLast, "#ttl": attrTTL}
	values := map[string]types.AttributeValue{
		":from": numAttr(strconv.FormatUint(from, 10)),
		":to":   numAttr(strconv.FormatUint(to, 10)),
	}
	if fresh {
		cond = "attribute_not_exists(#last)"
		delete(values, ":from")
	}
	update := "SET #last = :to REMOVE #ttl" // retention 0: kept as long as the entries
	if s.retention > 0 {
		update = "SET #last = :to, #ttl = :ttl"
		values[":ttl"] = numAttr(strconv.FormatInt(now.Add(s.retention).Unix(), 10))
	}
	return types.TransactWriteItem{Update: &types.Update{
		TableName:                 aws.String(s.table),
		Key:                       headKey(channel),
		UpdateExpression:          aws.String(update),
		ConditionExpression:       aws.String(cond),
		ExpressionAttributeNames:  names,
		ExpressionAttributeValues: values,
	}}
}

// keyItemKey is the primary key of a key's item: in the channel's
// partition, below the head (seq 0), at minus one plus the first 120 bits
// of the key's SHA-256 (37 digits; DynamoDB numbers keep 38).
func keyItemKey(channel, key string) map[string]types.AttributeValue {
	sum := sha256.Sum256([]byte(key))
	n := new(big.Int).SetBytes(sum[:15])
	return map[string]types.AttributeValue{
		attrChannel: &types.AttributeValueMemberS{Value: channel},
		attrSeq:     numAttr("-" + n.Add(n, big.NewInt(1)).String()),
	}
}

// keyEntry is the entry a key item names, for an item repeating its key.
func keyEntry(channel string, it Item, found map[string]types.AttributeValue) (Entry, error) {
	key, _ := found[attrKey].(*types.AttributeValueMemberS)
	sum, _ := found[attrSum].(*types.AttributeValueMemberB)
	want := sha256.Sum256(it.Data)
	if key == nil || key.Value != it.Key || sum == nil || !bytes.Equal(sum.Value, want[:]) {
		return Entry{}, keyConflict(it.Key)
	}
	seq, err := attrUint(found, attrEntry)
	if err == nil && seq == 0 {
		err = errors.New("entry 0")
	}
	ns, err2 := attrUint(found, attrTime)
	if err := errors.Join(err, err2); err != nil {
		return Entry{}, fmt.Errorf("bad key item for key %q: %w", truncate(it.Key), err)
	}
	e := newEntry(channel, seq, it.Data, time.Unix(0, int64(ns)).UTC())
	if startsNumbering(found) {
		e.PrevID = ""
	}
	return e, nil
}

// contended reports a transaction canceled because another append to the
// channel came first (the counter moved, a key appeared) or was under way:
// worth starting over. Other reasons, such as a validation error, are not.
func contended(err error) bool {
	var tc *types.TransactionCanceledException
	if !errors.As(err, &tc) {
		return false
	}
	for _, r := range tc.CancellationReasons {
		switch aws.ToString(r.Code) {
		case "", "None", "ConditionalCheckFailed", "TransactionConflict", "ThrottlingError":
		default:
			return false
		}
	}
	return true
}

func numAttr(v string) types.AttributeValue { return &types.AttributeValueMemberN{Value: v} }

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
