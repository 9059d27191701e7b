package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"

	"github.com/aws/aws-lambda-go/events"

	"github.com/faas-grip/faas-grip-go/internal/feed"
	"github.com/faas-grip/faas-grip-go/internal/grip"
	"github.com/faas-grip/faas-grip-go/internal/history"
)

// Publisher is the part of *grip.Publisher the handler needs; tests record calls.
type Publisher interface {
	Publish(ctx context.Context, items ...grip.Item) error
}

// Handler publishes what it is given, from SQS or a direct invoke.
type Handler struct {
	Publisher Publisher
	History   history.Store // nil: text messages are published without ids
	Logger    *slog.Logger
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
	if probe.Messages != nil {
		var req DirectRequest
		if err := json.Unmarshal(payload, &req); err != nil {
			return nil, &InputError{Field: "messages", Reason: "must be an array of messages"}
		}
		bodies = req.Messages
	}
	return h.HandleDirect(ctx, bodies)
}

// HandleDirect publishes every message or none: an invalid message fails the
// whole invoke before anything is sent, so the caller can fix and retry it.
func (h *Handler) HandleDirect(ctx context.Context, bodies []json.RawMessage) (DirectResponse, error) {
	batch := make([]pending, 0, len(bodies))
	for i, body := range bodies {
		p, err := parse(body)
		if err != nil {
			h.Logger.Warn("invalid message", "index", i, "error", err)
			return DirectResponse{}, err
		}
		batch = append(batch, p)
	}
	failed := h.publish(ctx, batch)
	if len(failed) > 0 {
		return DirectResponse{}, failed[0].err
	}
	h.Logger.Info("published", "messages", len(batch))
	return DirectResponse{Published: len(batch)}, nil
}

// HandleSQS publishes a batch of SQS records and reports exactly the records
// that failed, so SQS retries only those (and moves repeat failures to the DLQ).
func (h *Handler) HandleSQS(ctx context.Context, e events.SQSEvent) events.SQSEventResponse {
	var resp events.SQSEventResponse
	batch := make([]pending, 0, len(e.Records))
	for _, rec := range e.Records {
		p, err := parse([]byte(rec.Body))
		if err != nil {
			// Retrying cannot fix bad input; reporting it lets the DLQ keep it for a human.
			h.Logger.Warn("invalid message", "message_id", rec.MessageId, "error", err)
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: rec.MessageId})
			continue
		}
		p.recordID = rec.MessageId
		batch = append(batch, p)
	}
	for _, f := range h.publish(ctx, batch) {
		h.Logger.Error("publish failed", "message_id", f.recordID, "error", f.err)
		resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: f.recordID})
	}
	h.Logger.Info("sqs batch done", "records", len(e.Records), "failed", len(resp.BatchItemFailures))
	return resp
}

// pending is a valid message on its way out.
type pending struct {
	recordID string
	msg      Message
	items    []grip.Item // set for "formats" messages; "text" ones get ids first
	err      error
}

func parse(body []byte) (pending, error) {
	msg, items, err := parseMessage(bytes.TrimSpace(body))
	return pending{msg: msg, items: items}, err
}

// publish numbers the text messages in the channel history, then sends every
// item of the batch in one publish request. It returns the messages that failed.
func (h *Handler) publish(ctx context.Context, batch []pending) (failed []pending) {
	if len(batch) == 0 {
		return nil
	}
	h.assignIDs(ctx, batch)
	var items []grip.Item
	var sent []pending
	for _, p := range batch {
		if p.err != nil {
			failed = append(failed, p)
			continue
		}
		items = append(items, p.items...)
		sent = append(sent, p)
	}
	if len(items) == 0 {
		return failed
	}
	if err := h.Publisher.Publish(ctx, items...); err != nil {
		for _, p := range sent {
			p.err = err
			failed = append(failed, p)
		}
	}
	return failed
}

// assignIDs gives the text messages their items, numbered per channel in one
// history append per channel. A history failure fails that channel's messages.
func (h *Handler) assignIDs(ctx context.Context, batch []pending) {
	byChannel := map[string][]int{}
	var order []string
	for i, p := range batch {
		if p.msg.Text == nil {
			continue
		}
		if _, seen := byChannel[p.msg.Channel]; !seen {
			order = append(order, p.msg.Channel)
		}
		byChannel[p.msg.Channel] = append(byChannel[p.msg.Channel], i)
	}
	for _, ch := range order {
		idx := byChannel[ch]
		entries := make([]history.Entry, len(idx))
		if h.History != nil {
			data := make([][]byte, len(idx))
			for j, i := range idx {
				data[j] = []byte(*batch[i].msg.Text)
			}
			var err error
			entries, err = h.History.Append(ctx, ch, data...)
			if err == nil && len(entries) != len(idx) {
				err = errors.New("history returned a different number of entries")
			}
			if err != nil {
				for _, i := range idx {
					batch[i].err = err
				}
				continue
			}
		}
		for j, i := range idx {
			batch[i].items = feed.Items(ch, *batch[i].msg.Text, entries[j].ID, entries[j].PrevID)
		}
	}
}
