package history

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// attrEndpoints is a delivery item's string set of endpoint IDs.
const attrEndpoints = "endpoints"

// deliveryPartition starts the partition key of delivery items. Channel
// names cannot hold a ';' (grip.ValidChannel refuses it: it separates
// Grip-Channel parameters), so no channel shares a partition with them.
const deliveryPartition = "delivered;"

// maxTransactItems is DynamoDB's limit on items per transaction.
const maxTransactItems = 100

func deliveryItemKey(key string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		attrChannel: &types.AttributeValueMemberS{Value: deliveryPartition + deliveryName(key)},
		attrSeq:     numAttr("0"),
	}
}

// Delivered implements Deliveries: consistent reads, a transaction per
// hundred keys.
func (s *DynamoStore) Delivered(ctx context.Context, keys ...string) (map[string][]string, error) {
	keys = slices.Compact(slices.Sorted(slices.Values(keys)))
	out := map[string][]string{}
	for part := range slices.Chunk(keys, maxTransactItems) {
		gets := make([]types.TransactGetItem, len(part))
		for i, key := range part {
			if err := checkDeliveryKey(key); err != nil {
				return nil, err
			}
			gets[i] = types.TransactGetItem{Get: &types.Get{TableName: aws.String(s.table), Key: deliveryItemKey(key)}}
		}
		res, err := s.api.TransactGetItems(ctx, &dynamodb.TransactGetItemsInput{TransactItems: gets})
		if err != nil {
			return nil, fmt.Errorf("history: reading delivery records from table %s: %w", s.table, err)
		}
		for i, r := range res.Responses {
			if set, ok := r.Item[attrEndpoints].(*types.AttributeValueMemberSS); ok && i < len(part) && len(set.Value) > 0 {
				out[part[i]] = set.Value
			}
		}
	}
	return out, nil
}

// MarkDelivered implements Deliveries: ADD to each key's string set, in a
// transaction per hundred keys, with the history's retention as ttl.
func (s *DynamoStore) MarkDelivered(ctx context.Context, delivered map[string][]string) error {
	keys := slices.Sorted(maps.Keys(delivered))
	now := s.now()
	var updates []types.TransactWriteItem
	for _, key := range keys {
		if err := checkDeliveryKey(key); err != nil {
			return err
		}
		ids := mergeIDs(nil, delivered[key]...)
		if len(ids) == 0 {
			continue
		}
		expr := "ADD #eps :eps"
		names := map[string]string{"#eps": attrEndpoints}
		values := map[string]types.AttributeValue{":eps": &types.AttributeValueMemberSS{Value: ids}}
		if s.retention > 0 {
			expr += " SET #ttl = :ttl"
			names["#ttl"] = attrTTL
			values[":ttl"] = numAttr(strconv.FormatInt(now.Add(s.retention).Unix(), 10))
		}
		updates = append(updates, types.TransactWriteItem{Update: &types.Update{
			TableName:                 aws.String(s.table),
			Key:                       deliveryItemKey(key),
			UpdateExpression:          aws.String(expr),
			ExpressionAttributeNames:  names,
			ExpressionAttributeValues: values,
		}})
	}
	for part := range slices.Chunk(updates, maxTransactItems) {
		if _, err := s.api.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: part}); err != nil {
			return fmt.Errorf("history: writing delivery records to table %s: %w", s.table, err)
		}
	}
	return nil
}
