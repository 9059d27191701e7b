package sqspoll

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"slices"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// NewClient returns an SQS client for a local endpoint such as moto_server.
// It signs with AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY when they are
// set, else with dummy credentials (a local endpoint accepts any).
func NewClient(endpoint, region string) *sqs.Client {
	id, secret := os.Getenv("AWS_ACCESS_KEY_ID"), os.Getenv("AWS_SECRET_ACCESS_KEY")
	if id == "" || secret == "" {
		id, secret = "test", "test"
	}
	return sqs.New(sqs.Options{
		Region:       region,
		BaseEndpoint: aws.String(endpoint),
		Credentials:  credentials.NewStaticCredentialsProvider(id, secret, ""),
	})
}

// CreatedQueue is a queue CreateQueues created (or found already there
// with the same attributes).
type CreatedQueue struct {
	Queue
	URL string
	ARN string
}

// CreateOptions adjust the template's queues for a local run.
type CreateOptions struct {
	// Prefix is put before every queue name, so that several runs (tests)
	// can share one endpoint.
	Prefix string
	// VisibilityTimeout, when positive, replaces every queue's, in seconds:
	// tests use 1 so a failed message comes back at once.
	VisibilityTimeout int
	// MaxReceiveCount, when positive, replaces every RedrivePolicy's.
	MaxReceiveCount int
}

// CreateQueues creates queues (the template's) on the client's endpoint,
// each dead-letter queue before the queues that send to it, with the
// RedrivePolicy naming the dead-letter queue's ARN there. It returns the
// created queues by logical id.
func CreateQueues(ctx context.Context, client *sqs.Client, queues []Queue, opts CreateOptions) (map[string]*CreatedQueue, error) {
	byID := map[string]Queue{}
	for _, q := range queues {
		byID[q.LogicalID] = q
	}
	created := map[string]*CreatedQueue{}
	visiting := map[string]bool{}
	var create func(id string) error
	create = func(id string) error {
		if created[id] != nil {
			return nil
		}
		q, ok := byID[id]
		if !ok {
			return fmt.Errorf("sqspoll: dead-letter queue %q is not among the queues to create", id)
		}
		if visiting[id] {
			return fmt.Errorf("sqspoll: queue %s: the RedrivePolicy chain loops back to it", id)
		}
		visiting[id] = true
		attrs := maps.Clone(q.Attributes)
		if attrs == nil {
			attrs = map[string]string{}
		}
		if opts.VisibilityTimeout > 0 {
			attrs["VisibilityTimeout"] = strconv.Itoa(opts.VisibilityTimeout)
		}
		q.Attributes = maps.Clone(attrs) // as created, without the RedrivePolicy
		if q.DeadLetterQueue != "" {
			if err := create(q.DeadLetterQueue); err != nil {
				return err
			}
			if opts.MaxReceiveCount > 0 {
				q.MaxReceiveCount = opts.MaxReceiveCount
			}
			policy, _ := json.Marshal(map[string]string{
				"deadLetterTargetArn": created[q.DeadLetterQueue].ARN,
				"maxReceiveCount":     strconv.Itoa(q.MaxReceiveCount),
			})
			attrs["RedrivePolicy"] = string(policy)
		}
		name := opts.Prefix + q.Name
		out, err := client.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name), Attributes: attrs})
		if err != nil {
			return fmt.Errorf("sqspoll: creating queue %s (%s): %w", q.LogicalID, name, err)
		}
		arn, err := QueueARN(ctx, client, *out.QueueUrl)
		if err != nil {
			return err
		}
		created[id] = &CreatedQueue{Queue: q, URL: *out.QueueUrl, ARN: arn}
		return nil
	}
	for _, id := range slices.Sorted(maps.Keys(byID)) {
		if err := create(id); err != nil {
			return nil, err
		}
	}
	return created, nil
}

// QueueARN asks the endpoint for a queue's ARN.
func QueueARN(ctx context.Context, client *sqs.Client, url string) (string, error) {
	out, err := client.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
		QueueUrl:       aws.String(url),
		AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameQueueArn},
	})
	if err != nil {
		return "", fmt.Errorf("sqspoll: the ARN of %s: %w", url, err)
	}
	arn := out.Attributes[string(types.QueueAttributeNameQueueArn)]
	if arn == "" {
		return "", fmt.Errorf("sqspoll: the endpoint gave no QueueArn for %s", url)
	}
	return arn, nil
}
