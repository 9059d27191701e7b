package sqspoll

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/aws/aws-lambda-go/events"
)

// ErrBadResponse means a function's answer is not a batch response Lambda
// accepts; Lambda then treats the whole batch as failed.
var ErrBadResponse = errors.New("sqspoll: the function's response is not a valid SQS batch response")

// ItemFailures reads a function's answer to event the way Lambda does with
// ReportBatchItemFailures on, and returns the message ids to leave on the
// queue.
//
// A complete success: null (or no payload), an object without
// batchItemFailures, or with a null or empty list. A complete failure (an
// error wrapping ErrBadResponse): anything that is not a JSON object, a
// batchItemFailures that is not a list, or an item whose itemIdentifier is
// missing, null, empty, not a string or not the id of a record of event.
func ItemFailures(response []byte, event events.SQSEvent) ([]string, error) {
	response = bytes.TrimSpace(response)
	if len(response) == 0 || bytes.Equal(response, []byte("null")) {
		return nil, nil
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(response, &obj); err != nil || obj == nil {
		return nil, fmt.Errorf("%w: want a JSON object, got %.200s", ErrBadResponse, response)
	}
	raw, ok := obj["batchItemFailures"] // Lambda matches the key exactly
	if !ok || bytes.Equal(raw, []byte("null")) {
		return nil, nil
	}
	var items []map[string]json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, fmt.Errorf("%w: batchItemFailures is not a list of objects", ErrBadResponse)
	}
	inBatch := make(map[string]bool, len(event.Records))
	for _, r := range event.Records {
		inBatch[r.MessageId] = true
	}
	var failed []string
	seen := map[string]bool{}
	for i, item := range items {
		var id string
		if v, ok := item["itemIdentifier"]; !ok || json.Unmarshal(v, &id) != nil || id == "" {
			return nil, fmt.Errorf("%w: batchItemFailures[%d] has no itemIdentifier string", ErrBadResponse, i)
		}
		if !inBatch[id] {
			return nil, fmt.Errorf("%w: batchItemFailures[%d]: %q is not a message of the batch", ErrBadResponse, i, id)
		}
		if !seen[id] {
			seen[id] = true
			failed = append(failed, id)
		}
	}
	return failed, nil
}
