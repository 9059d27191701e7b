//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package history

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/faas-grip/faas-grip-go/tools/moto"
)

func motoClient(url string) *dynamodb.Client {
	return dynamodb.New(dynamodb.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(url),
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
	})
}

var tableCount atomic.Int32

// createTable creates a table shaped as the SAM template declares it.
func createTable(t *testing.T, c *dynamodb.Client) string {
	t.Helper()
	ctx := context.Background()
	name := fmt.Sprintf("history-%d", tableCount.Add(1))
	_, err := c.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName: aws.String(name),
		AttributeDefinitions: []types.AttributeDefinition{
			{AttributeName: aws.String("channel"), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: aws.String("seq"), AttributeType: types.ScalarAttributeTypeN},
		},
		KeySchema: []types.KeySchemaElement{
			{AttributeName: aws.String("channel"), KeyType: types.KeyTypeHash},
			{AttributeName: aws.String("seq"), KeyType: types.KeyTypeRange},
		},
		BillingMode: types.BillingModePayPerRequest,
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{
		TableName:               aws.String(name),
		TimeToLiveSpecification: &types.TimeToLiveSpecification{AttributeName: aws.String("ttl"), Enabled: aws.Bool(true)},
	})
	if err != nil {
		t.Fatal(err)
	}
	return name
}

// isolated runs one transaction at a time, as DynamoDB isolates them
// (serializable) and moto does not: it checks a transaction's conditions
// and writes in separate steps, and undoes a failed one by restoring a copy
// of the whole table, losing what other requests wrote meanwhile.
type isolated struct {
	dynamoAPI
	mu sync.Mutex
}

func (i *isolated) TransactGetItems(ctx context.Context, in *dynamodb.TransactGetItemsInput, opts ...func(*dynamodb.Options)) (*dynamodb.TransactGetItemsOutput, error) {
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.dynamoAPI.TransactGetItems(ctx, in, opts...)
}

func (i *isolated) TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, opts ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.dynamoAPI.TransactWriteItems(ctx, in, opts...)
}

// raceAPI passes calls to a real client, but before TransactWriteItems
// number n it calls beforeWrite(n), which may append to the same table
// through another store, as a concurrent Lambda would, or fail the call.
type raceAPI struct {
	dynamoAPI
	writes      atomic.Int32
	beforeWrite func(n int) error
}

func (r *raceAPI) TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, opts ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
	n := int(r.writes.Add(1))
	if r.beforeWrite != nil {
		if err := r.beforeWrite(n); err != nil {
			return nil, err
		}
	}
	return r.dynamoAPI.TransactWriteItems(ctx, in, opts...)
}

// canceled is what DynamoDB answers when another transaction came first.
func canceled() error {
	return &types.TransactionCanceledException{CancellationReasons: []types.CancellationReason{
		{Code: aws.String("None")}, {Code: aws.String("ConditionalCheckFailed")},
	}}
}

func TestDynamoStore(t *testing.T) {
	url := moto.Start(t)
	client := motoClient(url)
	ctx := context.Background()

	t.Run("basics", func(t *testing.T) {
		storeBasics(t, NewDynamoStore(client, createTable(t, client), countFromOne), "room/Ünïcode ..")
	})

	t.Run("concurrent appends get unique consecutive ids", func(t *testing.T) {
		table := createTable(t, client)
		s := newDynamoStore(&isolated{dynamoAPI: client}, table, countFromOne)
		const workers, each = 6, 8
		var mu sync.Mutex
		var got []string
		var wg sync.WaitGroup
		for w := range workers {
			wg.Go(func() {
				for i := range each {
					es, err := s.Append(ctx, "c", []byte("p"+strconv.Itoa(w)), []byte(strconv.Itoa(i)))
					if err != nil {
						t.Error(err)
						return
					}
					if len(es) != 2 || es[1].PrevID != es[0].ID {
						t.Errorf("batch not consecutive: %v", ids(es))
					}
					mu.Lock()
					got = append(got, ids(es)...)
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		checkUnique(t, got, workers*each*2)
		es, err := s.Since(ctx, "c", "0", 1000)
		if err != nil || len(es) != workers*each*2 {
			t.Fatalf("Since 0 = %d entries, %v", len(es), err)
		}
		for i, e := range es {
			if e.ID != strconv.Itoa(i+1) {
				t.Fatalf("entry %d has id %s", i, e.ID)
			}
			if i%2 == 0 && (!strings.HasPrefix(string(e.Data), "p") || strings.HasPrefix(string(es[i+1].Data), "p")) {
				t.Errorf("batch %s split: %q %q", e.ID, e.Data, es[i+1].Data)
			}
		}
	})

	t.Run("large batches and pages", func(t *testing.T) {
		s := NewDynamoStore(client, createTable(t, client), countFromOne)
		data := make([]string, 60) // three BatchWriteItem calls
		for i := range data {
			data[i] = strconv.Itoa(i + 1)
		}
		es := mustAppend(t, s, "c", data...)
		if es[0].ID != "1" || es[59].ID != "60" || es[59].PrevID != "59" {
			t.Fatalf("ids %s..%s", es[0].ID, es[59].ID)
		}
		got, err := s.Since(ctx, "c", "10", 45)
		if err != nil || len(got) != 45 || got[0].ID != "11" || got[44].ID != "55" || string(got[44].Data) != "55" {
			t.Fatalf("Since 10 limit 45: %v, %v", ids(got), err)
		}
		recent, err := s.Since(ctx, "c", "", 0)
		if err != nil || len(recent) != 60 || recent[0].ID != "1" {
			t.Fatalf("Since recent: %d, %v", len(recent), err)
		}

		// Query pages end at 1 MB: five 300 kB entries take two pages.
		big := bytes.Repeat([]byte("x"), 300_000)
		mustAppend(t, s, "big", string(big), string(big), string(big), string(big), string(big))
		got, err = s.Since(ctx, "big", "0", 10)
		if err != nil || !slices.Equal(ids(got), []string{"1", "2", "3", "4", "5"}) || !bytes.Equal(got[4].Data, big) {
			t.Fatalf("big entries: %v, %v", ids(got), err)
		}
		if _, err := s.Append(ctx, "big", make([]byte, 400*1024)); !errors.Is(err, ErrTooLarge) {
			t.Errorf("oversized entry: %v", err)
		}
		if last, _ := s.Last(ctx, "big"); last != "5" {
			t.Errorf("an oversized entry took an id: Last = %s", last)
		}
	})

	t.Run("ttl", func(t *testing.T) {
		table := createTable(t, client)
		now := time.Unix(1_800_000_000, 0)
		s := NewDynamoStore(client, table, WithRetention(2*time.Hour), countFromOne)
		s.now = func() time.Time { return now }
		mustAppend(t, s, "c", "a")
		if ttl := rawAttr(t, client, table, "c", 1, "ttl"); ttl != strconv.FormatInt(now.Add(2*time.Hour).Unix(), 10) {
			t.Errorf("ttl = %s", ttl)
		}
		s = NewDynamoStore(client, table, WithRetention(0), countFromOne)
		mustAppend(t, s, "c", "b")
		if ttl := rawAttr(t, client, table, "c", 2, "ttl"); ttl != "" {
			t.Errorf("retention 0 wrote ttl %s", ttl)
		}
		s = NewDynamoStore(client, table, countFromOne)
		s.now = func() time.Time { return now }
		mustAppend(t, s, "c", "c")
		if ttl := rawAttr(t, client, table, "c", 3, "ttl"); ttl != strconv.FormatInt(now.Add(DefaultRetention).Unix(), 10) {
			t.Errorf("default ttl = %s", ttl)
		}
	})

	t.Run("keys", func(t *testing.T) {
		storeKeys(t, NewDynamoStore(client, createTable(t, client), countFromOne), "room/Ünïcode ..")
	})

	t.Run("concurrent duplicates get one id", func(t *testing.T) {
		table := createTable(t, client)
		storeConcurrentKeys(t, newDynamoStore(&isolated{dynamoAPI: client}, table, countFromOne), "c")
	})

	t.Run("key items stay out of Since and expire with their entry", func(t *testing.T) {
		table := createTable(t, client)
		now := time.Unix(1_800_000_000, 0)
		s := NewDynamoStore(client, table, WithRetention(time.Hour), countFromOne)
		s.now = func() time.Time { return now }
		mustAppendItems(t, s, "c", keyed("k", "a", "", "b")...)
		out, err := client.Query(ctx, &dynamodb.QueryInput{
			TableName:                 aws.String(table),
			KeyConditionExpression:    aws.String("channel = :c"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":c": &types.AttributeValueMemberS{Value: "c"}},
		})
		if err != nil || len(out.Items) != 4 {
			t.Fatalf("%d items in the partition, %v: want a key item, the head and two entries", len(out.Items), err)
		}
		keyItem := out.Items[0] // the lowest seq
		if seq := keyItem["seq"].(*types.AttributeValueMemberN).Value; !strings.HasPrefix(seq, "-") || len(seq) > 39 {
			t.Errorf("key item seq %s", seq)
		}
		if ttl := keyItem["ttl"].(*types.AttributeValueMemberN).Value; ttl != strconv.FormatInt(now.Add(time.Hour).Unix(), 10) {
			t.Errorf("key item ttl %s", ttl)
		}
		for _, after := range []string{"", "0"} {
			if es, err := s.Since(ctx, "c", after, 0); err != nil || !slices.Equal(datas(es), []string{"a", "b"}) {
				t.Errorf("Since %q = %q, %v", after, datas(es), err)
			}
		}
		// A key item that does not name a readable entry is an error, not an id.
		delete(keyItem, "entry")
		if _, err := client.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: keyItem}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.AppendItems(ctx, "c", keyed("k", "a")...); err == nil || !strings.Contains(err.Error(), "bad key item") {
			t.Errorf("broken key item: %v", err)
		}
	})

	t.Run("a concurrent append makes it start over", func(t *testing.T) {
		table := createTable(t, client)
		other := NewDynamoStore(client, table, countFromOne)
		api := &raceAPI{dynamoAPI: client}
		api.beforeWrite = func(n int) error {
			if n <= 2 { // the competitor commits between our read and our write, twice
				_, err := other.AppendItems(ctx, "c", keyed("theirs"+strconv.Itoa(n), "theirs")...)
				return err
			}
			return nil
		}
		s := newDynamoStore(api, table, countFromOne)
		s.retryBase = time.Millisecond
		es := mustAppendItems(t, s, "c", keyed("mine", "mine", "", "mine too")...)
		if !slices.Equal(ids(es), []string{"3", "4"}) || api.writes.Load() != 3 {
			t.Errorf("ids %v after %d transactions, want [3 4] after 3", ids(es), api.writes.Load())
		}
		all, err := s.Since(ctx, "c", "0", 0)
		if err != nil || !slices.Equal(datas(all), []string{"theirs", "theirs", "mine", "mine too"}) {
			t.Errorf("stored %q, %v", datas(all), err)
		}
	})

	t.Run("contention that does not end fails the append", func(t *testing.T) {
		table := createTable(t, client)
		api := &raceAPI{dynamoAPI: client, beforeWrite: func(int) error { return canceled() }}
		s := newDynamoStore(api, table, countFromOne)
		s.retryBase = time.Millisecond
		if _, err := s.Append(ctx, "c", []byte("x")); err == nil || !strings.Contains(err.Error(), "came first 10 times") || api.writes.Load() != 10 {
			t.Errorf("Append: %v after %d transactions", err, api.writes.Load())
		}
		if last, _ := s.Last(ctx, "c"); last != "" {
			t.Errorf("a failed append took id %s", last)
		}

		// A cancellation other appends cannot explain is not retried.
		api.writes.Store(0)
		api.beforeWrite = func(int) error {
			return &types.TransactionCanceledException{CancellationReasons: []types.CancellationReason{{Code: aws.String("ValidationError")}}}
		}
		if _, err := s.Append(ctx, "c", []byte("x")); err == nil || api.writes.Load() != 1 {
			t.Errorf("validation error: %v after %d transactions", err, api.writes.Load())
		}

		// Nor is a canceled context waited out.
		api.beforeWrite = func(int) error { return canceled() }
		s.retryBase = time.Hour
		cctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
		defer cancel()
		if _, err := s.Append(cctx, "c", []byte("x")); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Append: %v", err)
		}
	})

	t.Run("a large call is split into transactions", func(t *testing.T) {
		table := createTable(t, client)
		api := &raceAPI{dynamoAPI: client}
		s := newDynamoStore(api, table, countFromOne)
		items := make([]Item, 30) // 30 keys: over the 24 of one transaction
		for i := range items {
			items[i] = Item{Key: "k" + strconv.Itoa(i), Data: []byte(strconv.Itoa(i + 1))}
		}
		for range 70 { // 70 more writes: 130 in all, over the 100 of one transaction
			items = append(items, Item{Data: []byte("x")})
		}
		es := mustAppendItems(t, s, "c", items...)
		if es[0].ID != "1" || es[99].ID != "100" || api.writes.Load() != 2 {
			t.Errorf("ids %s..%s in %d transactions, want 1..100 in 2", es[0].ID, es[99].ID, api.writes.Load())
		}
		if again := mustAppendItems(t, s, "c", items[:30]...); !slices.Equal(ids(again), ids(es[:30])) || api.writes.Load() != 2 {
			t.Errorf("repeated: ids %v, %d transactions", ids(again), api.writes.Load())
		}
	})

	t.Run("holes of the earlier design wait, then are gaps", func(t *testing.T) {
		table := createTable(t, client)
		now := time.Now()
		s := NewDynamoStore(client, table, WithSettle(time.Minute), countFromOne)
		s.now = func() time.Time { return now }
		mustAppend(t, s, "c", "1")

		// Ids 2 and 3 reserved but never written: a writer of the earlier
		// design (counter first, entries next) that failed, or is at work.
		if _, err := client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName:                 aws.String(table),
			Key:                       headKey("c"),
			UpdateExpression:          aws.String("ADD #last :n"),
			ExpressionAttributeNames:  map[string]string{"#last": "last"},
			ExpressionAttributeValues: map[string]types.AttributeValue{":n": num("2")},
		}); err != nil {
			t.Fatal(err)
		}
		mustAppend(t, s, "c", "4")
		if last, _ := s.Last(ctx, "c"); last != "4" {
			t.Errorf("Last = %s", last)
		}

		// While entry 4 is young, readers stop before the hole.
		for _, after := range []string{"0", "1", ""} {
			got, err := s.Since(ctx, "c", after, 0)
			if err != nil || !slices.Equal(ids(got), []string{"1"}) && after != "1" || after == "1" && len(got) != 0 {
				t.Errorf("young hole, Since %q = %v, %v", after, ids(got), err)
			}
		}
		got, err := s.Since(ctx, "c", "3", 0)
		if err != nil || !slices.Equal(ids(got), []string{"4"}) {
			t.Errorf("Since 3 = %v, %v", ids(got), err)
		}

		// Once it has settled, the hole is a gap.
		now = now.Add(2 * time.Minute)
		got, err = s.Since(ctx, "c", "1", 0)
		if !errors.Is(err, ErrGap) || !slices.Equal(ids(got), []string{"4"}) {
			t.Errorf("settled hole, Since 1 = %v, %v", ids(got), err)
		}
		got, err = s.Since(ctx, "c", "", 0)
		if err != nil || !slices.Equal(ids(got), []string{"1", "4"}) {
			t.Errorf("settled hole, Since recent = %v, %v", ids(got), err)
		}
	})

	t.Run("missing table", func(t *testing.T) {
		s := NewDynamoStore(client, "no-such-table", countFromOne)
		if s.Table() != "no-such-table" {
			t.Error(s.Table())
		}
		var nf *types.ResourceNotFoundException
		if _, err := s.Append(ctx, "c", []byte("x")); !errors.As(err, &nf) || !strings.Contains(err.Error(), "no-such-table") {
			t.Errorf("Append: %v", err)
		}
		if _, err := s.Since(ctx, "c", "0", 1); !errors.As(err, &nf) {
			t.Errorf("Since: %v", err)
		}
		if _, err := s.Last(ctx, "c"); !errors.As(err, &nf) {
			t.Errorf("Last: %v", err)
		}
	})

	t.Run("foreign items", func(t *testing.T) {
		table := createTable(t, client)
		s := NewDynamoStore(client, table, countFromOne)
		for _, item := range []map[string]types.AttributeValue{
			{"seq": num("1"), "time": num("1")},                                                   // no data
			{"seq": num("1"), "data": &types.AttributeValueMemberB{Value: []byte("x")}},           // no time
			{"seq": num("1"), "data": &types.AttributeValueMemberS{Value: "x"}, "time": num("1")}, // data not binary
			{"seq": num("0.5"), "time": num("1")},                                                 // bad seq
		} {
			item["channel"] = &types.AttributeValueMemberS{Value: "c"}
			if _, err := client.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: item}); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Since(ctx, "c", "0", 0); err == nil {
				t.Errorf("item %v read without error", item)
			}
		}
		if _, err := client.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: map[string]types.AttributeValue{
			"channel": &types.AttributeValueMemberS{Value: "h"}, "seq": num("0"), "last": &types.AttributeValueMemberS{Value: "x"},
		}}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Last(ctx, "h"); err == nil {
			t.Error("bad head item read without error")
		}
		if _, err := s.Append(ctx, "h", []byte("x")); err == nil {
			t.Error("Append with a bad head item: no error")
		}
		if _, err := s.Since(ctx, "h", "x", 0); !errors.Is(err, ErrInvalidID) {
			t.Errorf("Since bad id: %v", err)
		}
	})

	t.Run("FromEnv", func(t *testing.T) {
		// awsenv reads region, credentials and AWS_ENDPOINT_URL through getenv.
		table := createTable(t, client)
		env := map[string]string{
			EnvTable: table, EnvRetention: "1h",
			"AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
			"AWS_ENDPOINT_URL": url,
		}
		s, err := FromEnv(ctx, func(k string) string { return env[k] })
		if err != nil {
			t.Fatal(err)
		}
		ds, ok := s.(*DynamoStore)
		if !ok || ds.Table() != table || ds.retention != time.Hour {
			t.Fatalf("FromEnv = %#v", s)
		}
		mustAppend(t, s, "c", "via env")
		// It went to moto: read it back with the test's own client.
		if got, err := NewDynamoStore(client, table, countFromOne).Since(ctx, "c", "0", 0); err != nil || len(got) != 1 || string(got[0].Data) != "via env" {
			t.Errorf("read back %v, %v", got, err)
		}

		// A missing region is reported.
		delete(env, "AWS_REGION")
		if s, err := FromEnv(ctx, func(k string) string { return env[k] }); s != nil || err == nil {
			t.Errorf("missing region: %#v, %v", s, err)
		}
	})
}

// countFromOne makes a store number new channels from 1, as a DynamoStore
// did before its heads expired, so tests can name the ids they expect
// (TestDynamoHead covers the clock floor a DynamoStore really starts from).
func countFromOne(s *DynamoStore) { s.floor = func(time.Time) uint64 { return 0 } }

func num(v string) types.AttributeValue { return &types.AttributeValueMemberN{Value: v} }

// rawAttr returns a number attribute of an item as stored ("" if absent).
func rawAttr(t *testing.T, c *dynamodb.Client, table, channel string, seq int, name string) string {
	t.Helper()
	out, err := c.GetItem(context.Background(), &dynamodb.GetItemInput{
		TableName:      aws.String(table),
		Key:            map[string]types.AttributeValue{"channel": &types.AttributeValueMemberS{Value: channel}, "seq": num(strconv.Itoa(seq))},
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		t.Fatal(err)
	}
	if out.Item == nil {
		t.Fatalf("no item %s/%d", channel, seq)
	}
	if v, ok := out.Item[name].(*types.AttributeValueMemberN); ok {
		return v.Value
	}
	return ""
}
