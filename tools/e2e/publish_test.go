package e2e

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// The publish function, fed an SQS event as Lambda's event source mapping
// would, delivers to stream and chat clients and reports the bad record.
func TestPublishFromSQS(t *testing.T) {
	needs(t, "PublishFunction", "StreamFunction", "ChatFunction")
	s := stack(t)
	ctx := testContext(t, time.Minute)
	channel := uniqueChannel("sqs")

	stream := openStream(t, ctx, "/stream?channel="+channel, nil)
	if got := stream.next(); got != "streaming "+channel {
		t.Fatalf("stream opened with %q", got)
	}
	chat := dialChat(t, ctx, "chat reader")

	event := sqsEvent(
		`{"channel":"`+channel+`","text":"first from SQS"}`,
		`{"channel":"chat","text":"system: hello from SQS"}`,
		`{"channel":"`+channel+`"}`, // no text: the one bad record
		`{"channel":"`+channel+`","text":"second from SQS"}`,
	)
	payload, _ := json.Marshal(event)
	out, err := s.Invoke(ctx, "PublishFunction", payload)
	if err != nil {
		t.Fatalf("PublishFunction: %v", err)
	}
	var resp events.SQSEventResponse
	if err := json.Unmarshal(out, &resp); err != nil {
		t.Fatalf("response %s: %v", out, err)
	}
	want := []events.SQSBatchItemFailure{{ItemIdentifier: event.Records[2].MessageId}}
	if !reflect.DeepEqual(resp.BatchItemFailures, want) {
		t.Errorf("batchItemFailures %+v, want %+v", resp.BatchItemFailures, want)
	}

	for _, w := range []string{"first from SQS", "second from SQS"} {
		if got := stream.next(); got != w {
			t.Fatalf("stream got %q, want %q", got, w)
		}
	}
	chat.expect(ctx, publishedMessage("system: hello from SQS"))
}
