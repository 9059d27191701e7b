package sqspoll

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// Invoker runs a function on one event and returns its response payload;
// an error is a failed invocation. *runtimeapi.Function is one.
type Invoker interface {
	Invoke(ctx context.Context, payload []byte) ([]byte, error)
}

// InvokerFunc makes a function an Invoker.
type InvokerFunc func(ctx context.Context, payload []byte) ([]byte, error)

// Invoke calls f.
func (f InvokerFunc) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	return f(ctx, payload)
}

// Config is one event source mapping: a queue and the function it feeds.
type Config struct {
	Client   *sqs.Client
	QueueURL string
	// QueueARN is the records' eventSourceARN (and, from it, awsRegion);
	// when empty it is asked of the endpoint before the first receive.
	QueueARN string
	Function Invoker
	// BatchSize is the most records per invocation, 1 to 10000; default 10.
	// Above 10, several receives fill one batch, as Lambda's batching window does.
	BatchSize int
	// ReportBatchItemFailures: the function's answer says which records
	// failed (FunctionResponseTypes: [ReportBatchItemFailures]).
	ReportBatchItemFailures bool
	// WaitTime is the long poll of each receive, 0 to 20s; default 20s, as
	// Lambda's. Run stops at once when its context ends, whatever it is.
	WaitTime time.Duration
	// Logger gets a line per batch; nil: slog.Default().
	Logger *slog.Logger
	// OnBatch, if set, is called after each batch is settled (from Run's
	// goroutine): tests and tools watch the mapping with it.
	OnBatch func(Batch)
}

// Config returns the mapping of es from queue q to fn.
func (es EventSource) Config(client *sqs.Client, q *CreatedQueue, fn Invoker) Config {
	return Config{
		Client:                  client,
		QueueURL:                q.URL,
		QueueARN:                q.ARN,
		Function:                fn,
		BatchSize:               es.BatchSize,
		ReportBatchItemFailures: es.ReportBatchItemFailures,
	}
}

// Batch is what happened to one batch.
type Batch struct {
	// Event is what the function was given.
	Event events.SQSEvent
	// Response is the function's answer (nil when it failed).
	Response []byte
	// Err is why the whole batch stays on the queue: the invocation's
	// error, or an ErrBadResponse. nil when the function answered usably.
	Err error
	// Kept are the ids of the messages left on the queue, to be received
	// again after the visibility timeout: the reported failures, or every
	// message when Err is set. Deleted are the ids deleted from the queue.
	Kept, Deleted []string
	// DeleteErr is why some messages meant to be deleted were not.
	DeleteErr error
}

// Poller feeds one queue's messages to one function. Run it in one
// goroutine: a Poller is not for concurrent use.
type Poller struct {
	cfg Config
	log *slog.Logger
}

// New checks cfg and returns its Poller. Nothing runs until Run or Poll.
func New(cfg Config) (*Poller, error) {
	if cfg.Client == nil || cfg.QueueURL == "" || cfg.Function == nil {
		return nil, errors.New("sqspoll: Config needs a Client, a QueueURL and a Function")
	}
	if cfg.BatchSize == 0 {
		cfg.BatchSize = 10
	}
	if cfg.BatchSize < 1 || cfg.BatchSize > 10000 {
		return nil, fmt.Errorf("sqspoll: BatchSize %d: want 1 to 10000", cfg.BatchSize)
	}
	if cfg.WaitTime == 0 {
		cfg.WaitTime = 20 * time.Second
	}
	if cfg.WaitTime < 0 || cfg.WaitTime > 20*time.Second {
		return nil, fmt.Errorf("sqspoll: WaitTime %v: want 0 to 20s", cfg.WaitTime)
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Poller{cfg: cfg, log: cfg.Logger.With("queue", cfg.QueueURL)}, nil
}

// Run polls until ctx ends, then returns nil. A failing endpoint is
// retried, waiting up to 5s between attempts.
func (p *Poller) Run(ctx context.Context) error {
	wait := 100 * time.Millisecond
	for ctx.Err() == nil {
		_, err := p.Poll(ctx)
		if err == nil || ctx.Err() != nil {
			wait = 100 * time.Millisecond
			continue
		}
		p.log.Warn("sqspoll: polling failed; retrying", "error", err, "wait", wait)
		select {
		case <-ctx.Done():
		case <-time.After(wait):
		}
		wait = min(2*wait, 5*time.Second)
	}
	return nil
}

// Poll receives one batch (waiting up to WaitTime for it), invokes the
// function with it and settles it. With no message it returns an empty
// Batch and does not invoke the function. The error is an SQS error
// (receive, or delete: then the Batch says what happened too); a failed
// invocation is not an error of Poll, it is in Batch.Err.
func (p *Poller) Poll(ctx context.Context) (Batch, error) {
	if p.cfg.QueueARN == "" {
		arn, err := QueueARN(ctx, p.cfg.Client, p.cfg.QueueURL)
		if err != nil {
			return Batch{}, err
		}
		p.cfg.QueueARN = arn
	}
	msgs, err := p.receive(ctx)
	if err != nil || len(msgs) == 0 {
		return Batch{}, err
	}
	b := Batch{Event: BuildEvent(p.cfg.QueueARN, msgs)}
	payload, err := json.Marshal(b.Event)
	if err != nil {
		return Batch{}, err
	}

	start := time.Now()
	b.Response, b.Err = p.cfg.Function.Invoke(ctx, payload)
	took := time.Since(start)
	var keep []string
	switch {
	case b.Err != nil:
		b.Response = nil
	case p.cfg.ReportBatchItemFailures:
		keep, b.Err = ItemFailures(b.Response, b.Event)
	}
	kept := make(map[string]bool, len(keep))
	for _, id := range keep {
		kept[id] = true
	}
	var del []events.SQSMessage
	for _, r := range b.Event.Records {
		if b.Err != nil || kept[r.MessageId] {
			b.Kept = append(b.Kept, r.MessageId)
		} else {
			del = append(del, r)
		}
	}
	// The deletes run even when ctx has ended: the function has answered,
	// and a message it handled should not be handled again.
	delCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	b.Deleted, b.DeleteErr = p.delete(delCtx, del)
	cancel()

	level := slog.LevelInfo
	attrs := []any{"records", len(b.Event.Records), "deleted", len(b.Deleted), "kept", len(b.Kept), "duration", took.Round(time.Millisecond)}
	if b.Err != nil {
		level, attrs = slog.LevelWarn, append(attrs, "error", b.Err)
	}
	if b.DeleteErr != nil {
		level, attrs = slog.LevelWarn, append(attrs, "deleteError", b.DeleteErr)
	}
	if len(b.Kept) > 0 {
		level = slog.LevelWarn
	}
	p.log.Log(ctx, level, "sqspoll: batch", attrs...)
	if p.cfg.OnBatch != nil {
		p.cfg.OnBatch(b)
	}
	return b, b.DeleteErr
}

// receive long-polls for up to BatchSize messages: one receive of up to
// 10, then more without waiting while the batch is not full.
func (p *Poller) receive(ctx context.Context) ([]types.Message, error) {
	var msgs []types.Message
	wait := int32(p.cfg.WaitTime / time.Second)
	for len(msgs) < p.cfg.BatchSize {
		out, err := p.cfg.Client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
			QueueUrl:                    aws.String(p.cfg.QueueURL),
			MaxNumberOfMessages:         int32(min(10, p.cfg.BatchSize-len(msgs))),
			WaitTimeSeconds:             wait,
			MessageSystemAttributeNames: []types.MessageSystemAttributeName{types.MessageSystemAttributeNameAll},
			MessageAttributeNames:       []string{"All"},
		})
		if err != nil {
			if len(msgs) > 0 {
				break // hand over what was received; it is invisible for now
			}
			return nil, fmt.Errorf("sqspoll: receive: %w", err)
		}
		msgs = append(msgs, out.Messages...)
		if len(out.Messages) == 0 || p.cfg.BatchSize <= 10 {
			break
		}
		wait = 0
	}
	return msgs, nil
}

// delete deletes recs, ten per request, and returns the ids it deleted.
func (p *Poller) delete(ctx context.Context, recs []events.SQSMessage) ([]string, error) {
	var deleted []string
	var errs []error
	for start := 0; start < len(recs); start += 10 {
		chunk := recs[start:min(start+10, len(recs))]
		entries := make([]types.DeleteMessageBatchRequestEntry, len(chunk))
		for i, r := range chunk {
			entries[i] = types.DeleteMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), ReceiptHandle: aws.String(r.ReceiptHandle)}
		}
		out, err := p.cfg.Client.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: aws.String(p.cfg.QueueURL), Entries: entries})
		if err != nil {
			errs = append(errs, fmt.Errorf("sqspoll: delete: %w", err))
			continue
		}
		ok := map[string]bool{}
		for _, e := range out.Successful {
			ok[aws.ToString(e.Id)] = true
		}
		for i, r := range chunk {
			if ok[strconv.Itoa(i)] {
				deleted = append(deleted, r.MessageId)
			}
		}
		for _, f := range out.Failed {
			errs = append(errs, fmt.Errorf("sqspoll: delete entry %s: %s: %s", aws.ToString(f.Id), aws.ToString(f.Code), aws.ToString(f.Message)))
		}
	}
	return deleted, errors.Join(errs...)
}
