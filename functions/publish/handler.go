package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/faas-grip/faas-grip-go/internal/emf"
	"github.com/faas-grip/faas-grip-go/internal/grip"
	"github.com/faas-grip/faas-grip-go/internal/history"
)

// Publisher is the part of *grip.Publisher the handler needs; tests record calls.
type Publisher interface {
	Publish(ctx context.Context, items ...grip.Item) error
}

// Handler publishes what it is given, from SQS or a direct invoke.
type Handler struct {
	Grip      grip.Config // the channel prefix, which counts towards a name's length
	Publisher Publisher
	History   history.Store // nil: text messages are published without ids
	Logger    *slog.Logger

	// ReleaseCheckDelay is how long after publishing text messages the
	// long-polls' release checks are sent (see sendReleaseChecks); 0: never.
	ReleaseCheckDelay time.Duration

	// Deliveries records which endpoints accepted a message that others
	// refused, so that its redelivery skips them. nil: History's, when it
	// keeps them (DirStore and DynamoStore do).
	Deliveries history.Deliveries

	Metrics *emf.Writer    // the edge's (metrics.go); nil writes none
	counts  *publishCounts // this invocation's publish requests; set by metered
}

// DirectRequest is a direct invoke's payload: one message, or several.
type DirectRequest struct {
	Messages []json.RawMessage `json:"messages"`
}

// DirectResponse is a direct invoke's answer.
type DirectResponse struct {
	Published int `json:"published"`
}

// Handle tells an SQS event from a direct invoke by its Records.
func (h *Handler) Handle(ctx context.Context, payload json.RawMessage) (any, error) {
	var probe struct {
		Records  []struct{ EventSource string } `json:"Records"`
		Messages json.RawMessage                `json:"messages"`
	}
	_ = json.Unmarshal(payload, &probe) // a payload that is no object is reported below
	if len(probe.Records) > 0 && probe.Records[0].EventSource == "aws:sqs" {
		var e events.SQSEvent
		if err := json.Unmarshal(payload, &e); err != nil {
			return nil, &InputError{Reason: "malformed SQS event"}
		}
		return h.HandleSQS(ctx, e), nil
	}
	bodies := []json.RawMessage{payload}
	if probe.Messages != nil { // "messages" in any case: checkShape wants it exact, once, alone
		if err := checkShape(payload, envelopeShape); err != nil {
			return nil, err
		}
		var req DirectRequest
		if err := json.Unmarshal(payload, &req); err != nil {
			return nil, &InputError{Field: "messages", Reason: "must be an array of messages"}
		}
		bodies = req.Messages
	}
	return h.HandleDirect(ctx, bodies)
}

// HandleDirect publishes the messages. An invalid message fails the whole
// invoke before anything is sent, so the caller can fix and retry it; a
// failed publish may have sent some (the error says how many).
func (h *Handler) HandleDirect(ctx context.Context, bodies []json.RawMessage) (DirectResponse, error) {
	batch := make([]pending, 0, len(bodies))
	for i, body := range bodies {
		p, err := h.parse(body)
		if err != nil {
			h.Logger.WarnContext(ctx, "invalid message", "index", i, "error", err)
			return DirectResponse{}, err
		}
		batch = append(batch, p)
	}
	failed := h.publish(ctx, batch)
	if len(failed) > 0 {
		// Retrying is safe for text messages: the history gives a message
		// its first id again when it has an idempotency-key.
		return DirectResponse{}, fmt.Errorf("published %d of %d messages: %w", len(batch)-len(failed), len(batch), failed[0].err)
	}
	h.Logger.InfoContext(ctx, "published", "messages", len(batch))
	return DirectResponse{Published: len(batch)}, nil
}

// HandleSQS publishes a batch of SQS records and reports exactly the records
// that failed, so SQS retries only those (and moves repeat failures to the DLQ).
func (h *Handler) HandleSQS(ctx context.Context, e events.SQSEvent) events.SQSEventResponse {
	var resp events.SQSEventResponse
	batch := make([]pending, 0, len(e.Records))
	for _, rec := range e.Records {
		p, err := h.parse([]byte(rec.Body))
		if err != nil {
			// Retrying cannot fix bad input; reporting it lets the DLQ keep it for a human.
			h.Logger.WarnContext(ctx, "invalid message", "message_id", rec.MessageId, "error", err)
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: rec.MessageId})
			continue
		}
		p.recordID = rec.MessageId
		batch = append(batch, p)
	}
	for _, f := range h.publish(ctx, batch) {
		h.Logger.ErrorContext(ctx, "publish failed", "message_id", f.recordID, "delivered_to", f.delivered, "error", f.err)
		resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: f.recordID})
	}
	h.Logger.InfoContext(ctx, "sqs batch done", "records", len(e.Records), "failed", len(resp.BatchItemFailures))
	return resp
}

// pending is a valid message on its way out.
type pending struct {
	recordID string // the SQS message id; "" for a direct invoke
	msg      Message
	items    []grip.Item // set for "formats" messages; "text" ones get ids first
	size     int         // the items' encoded size, at most
	seq      uint64      // a "text" message's id in the history; 0 without one
	// delivered names the endpoints (grip.Publisher.EndpointIDs) that
	// accepted the message, in this delivery or an earlier one: it is not
	// sent to them again.
	delivered []string
	err       error
}

func (h *Handler) parse(body []byte) (pending, error) {
	return parseMessage(bytes.TrimSpace(body), h.Grip)
}
