package sqspoll

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// The event's JSON has the shape of Lambda's (as in AWS's documentation of
// the SQS event): {} rather than null for empty maps, [] for unused lists.
func TestBuildEventJSON(t *testing.T) {
	e := BuildEvent("arn:aws:sqs:eu-west-1:123456789012:q", []types.Message{
		{
			MessageId: aws.String("id-1"), ReceiptHandle: aws.String("rh-1"), Body: aws.String("hello"),
			MD5OfBody:  aws.String("5d41402abc4b2a76b9719d911017c592"),
			Attributes: map[string]string{"ApproximateReceiveCount": "2", "SentTimestamp": "1"},
			MessageAttributes: map[string]types.MessageAttributeValue{
				"kind": {DataType: aws.String("String"), StringValue: aws.String("greeting")},
			},
			MD5OfMessageAttributes: aws.String("md5attrs"),
		},
		{MessageId: aws.String("id-2"), ReceiptHandle: aws.String("rh-2"), Body: aws.String("")},
	})
	got, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"Records":[` +
		`{"messageId":"id-1","receiptHandle":"rh-1","body":"hello","md5OfBody":"5d41402abc4b2a76b9719d911017c592",` +
		`"md5OfMessageAttributes":"md5attrs","attributes":{"ApproximateReceiveCount":"2","SentTimestamp":"1"},` +
		`"messageAttributes":{"kind":{"stringValue":"greeting","stringListValues":[],"binaryListValues":[],"dataType":"String"}},` +
		`"eventSourceARN":"arn:aws:sqs:eu-west-1:123456789012:q","eventSource":"aws:sqs","awsRegion":"eu-west-1"},` +
		`{"messageId":"id-2","receiptHandle":"rh-2","body":"","md5OfBody":"","md5OfMessageAttributes":"",` +
		`"attributes":{},"messageAttributes":{},` +
		`"eventSourceARN":"arn:aws:sqs:eu-west-1:123456789012:q","eventSource":"aws:sqs","awsRegion":"eu-west-1"}]}`
	if string(got) != want {
		t.Errorf("event\n got %s\nwant %s", got, want)
	}
}

func TestItemFailures(t *testing.T) {
	event := events.SQSEvent{Records: []events.SQSMessage{{MessageId: "a"}, {MessageId: "b"}, {MessageId: "c"}}}
	tests := []struct {
		response string
		want     []string
		bad      bool // a complete failure
	}{
		// Complete successes.
		{response: ``},
		{response: `null`},
		{response: `{}`},
		{response: `{"batchItemFailures":null}`},
		{response: `{"batchItemFailures":[]}`},
		{response: `{"BatchItemFailures":[{"itemIdentifier":"a"}]}`}, // not the key Lambda reads
		// Partial failures.
		{response: `{"batchItemFailures":[{"itemIdentifier":"b"}]}`, want: []string{"b"}},
		{response: ` {"batchItemFailures":[{"itemIdentifier":"c"},{"itemIdentifier":"a"},{"itemIdentifier":"c"}]} `, want: []string{"c", "a"}},
		// Complete failures.
		{response: `not json`, bad: true},
		{response: `"done"`, bad: true},
		{response: `[]`, bad: true},
		{response: `{"batchItemFailures":{"itemIdentifier":"a"}}`, bad: true},
		{response: `{"batchItemFailures":[{"itemIdentifier":""}]}`, bad: true},
		{response: `{"batchItemFailures":[{"itemIdentifier":null}]}`, bad: true},
		{response: `{"batchItemFailures":[{"itemId":"a"}]}`, bad: true},
		{response: `{"batchItemFailures":[{"itemIdentifier":7}]}`, bad: true},
		{response: `{"batchItemFailures":[{"itemIdentifier":"a"},{"itemIdentifier":"zzz"}]}`, bad: true},
		{response: `{"batchItemFailures":[null]}`, bad: true},
	}
	for _, tc := range tests {
		got, err := ItemFailures([]byte(tc.response), event)
		if tc.bad {
			if !errors.Is(err, ErrBadResponse) {
				t.Errorf("%s: error %v, want ErrBadResponse", tc.response, err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: %q, %v; want %q", tc.response, got, err, tc.want)
		}
	}
}
