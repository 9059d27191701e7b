package sqspoll

import (
	"strings"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// BuildEvent is the event Lambda gives a function for messages received
// from the queue with ARN queueARN: one record per message, in order, with
// its system attributes (ApproximateReceiveCount, SentTimestamp, ...) and
// message attributes, eventSource "aws:sqs" and the queue's region.
func BuildEvent(queueARN string, msgs []types.Message) events.SQSEvent {
	region := regionOf(queueARN)
	e := events.SQSEvent{Records: make([]events.SQSMessage, 0, len(msgs))}
	for _, m := range msgs {
		rec := events.SQSMessage{
			MessageId:              aws.ToString(m.MessageId),
			ReceiptHandle:          aws.ToString(m.ReceiptHandle),
			Body:                   aws.ToString(m.Body),
			Md5OfBody:              aws.ToString(m.MD5OfBody),
			Md5OfMessageAttributes: aws.ToString(m.MD5OfMessageAttributes),
			// Lambda sends {} rather than null for both maps.
			Attributes:        map[string]string{},
			MessageAttributes: map[string]events.SQSMessageAttribute{},
			EventSourceARN:    queueARN,
			EventSource:       "aws:sqs",
			AWSRegion:         region,
		}
		for k, v := range m.Attributes {
			rec.Attributes[k] = v
		}
		for k, v := range m.MessageAttributes {
			a := events.SQSMessageAttribute{
				StringValue: v.StringValue,
				BinaryValue: v.BinaryValue,
				// Lambda sends [] for these even when they are unused.
				StringListValues: append([]string{}, v.StringListValues...),
				BinaryListValues: append([][]byte{}, v.BinaryListValues...),
				DataType:         aws.ToString(v.DataType),
			}
			rec.MessageAttributes[k] = a
		}
		e.Records = append(e.Records, rec)
	}
	return e
}

// regionOf is the region of arn:partition:sqs:region:account:name.
func regionOf(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 {
		return ""
	}
	return parts[3]
}
