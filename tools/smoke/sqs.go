package smoke

import (
	"context"
	"net/url"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/faas-grip/faas-grip-go/tools/devstack/sqspoll"
)

// SQS is Queues on Amazon SQS with Config's credentials, or, for a queue
// whose URL names another endpoint (moto_server, as make dev's queues),
// on that endpoint.
type SQS struct {
	Config aws.Config
}

func (s *SQS) client(queueURL string) *sqs.Client {
	u, err := url.Parse(queueURL)
	if err != nil || strings.HasSuffix(u.Hostname(), ".amazonaws.com") || strings.HasSuffix(u.Hostname(), ".amazonaws.com.cn") {
		return sqs.NewFromConfig(s.Config, func(o *sqs.Options) {
			// sqs.<region>.amazonaws.com: the queue's own region.
			if parts := strings.Split(u.Hostname(), "."); len(parts) >= 4 && parts[0] == "sqs" {
				o.Region = parts[1]
			}
		})
	}
	region := s.Config.Region
	if region == "" {
		region = "us-east-1"
	}
	return sqspoll.NewClient(u.Scheme+"://"+u.Host, region)
}

// SendMessage sends body to the queue.
func (s *SQS) SendMessage(ctx context.Context, queueURL, body string) error {
	_, err := s.client(queueURL).SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(queueURL), MessageBody: aws.String(body)})
	return err
}

// Count reads the queue's approximate numbers of messages.
func (s *SQS) Count(ctx context.Context, queueURL string) (waiting, inFlight int, err error) {
	out, err := s.client(queueURL).GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
		QueueUrl: aws.String(queueURL),
		AttributeNames: []types.QueueAttributeName{
			types.QueueAttributeNameApproximateNumberOfMessages,
			types.QueueAttributeNameApproximateNumberOfMessagesNotVisible,
		},
	})
	if err != nil {
		return 0, 0, err
	}
	waiting, _ = strconv.Atoi(out.Attributes[string(types.QueueAttributeNameApproximateNumberOfMessages)])
	inFlight, _ = strconv.Atoi(out.Attributes[string(types.QueueAttributeNameApproximateNumberOfMessagesNotVisible)])
	return waiting, inFlight, nil
}
