package main

import (
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/faas-grip/faas-grip-go/internal/grip"
	"github.com/faas-grip/faas-grip-go/internal/history"
)

// sqsEvent makes an SQS event of (message id, body) pairs.
func sqsEvent(pairs ...string) events.SQSEvent {
	var e events.SQSEvent
	for i := 0; i+1 < len(pairs); i += 2 {
		e.Records = append(e.Records, events.SQSMessage{MessageId: pairs[i], Body: pairs[i+1], EventSource: "aws:sqs"})
	}
	return e
}

func failures(resp events.SQSEventResponse) []string {
	var ids []string
	for _, f := range resp.BatchItemFailures {
		ids = append(ids, f.ItemIdentifier)
	}
	return ids
}

func stored(t *testing.T, s history.Store, channel string) []string {
	t.Helper()
	es, err := s.Since(t.Context(), channel, "0", 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.ID+":"+string(e.Data))
	}
	return out
}

// A record whose publish failed comes back from SQS with the same message
// id: it keeps the id it was given, and the history holds it once.
func TestRedeliveredRecordKeepsItsID(t *testing.T) {
	h, pub := newHandler(t)
	pub.Err = &grip.PublishError{Endpoint: "http://127.0.0.1:5561", Status: 503}
	resp := h.HandleSQS(t.Context(), sqsEvent("a", `{"channel":"news","text":"x"}`, "b", `{"channel":"news","text":"y"}`))
	if got := failures(resp); !slices.Equal(got, []string{"a", "b"}) {
		t.Fatalf("first delivery: failures %v", got)
	}

	// b comes back in a batch with a new message c.
	pub.Err, pub.Calls = nil, nil
	resp = h.HandleSQS(t.Context(), sqsEvent("c", `{"channel":"news","text":"z"}`, "b", `{"channel":"news","text":"y"}`))
	if got := failures(resp); len(got) != 0 {
		t.Fatalf("second delivery: failures %v", got)
	}
	// b keeps id 2 and goes first, so the proxy meets prev-id 2 before z names it.
	want := [][]string{slices.Concat(textItems("news", "y", "2", "1"), textItems("news", "z", "3", "2"))}
	if got := itemJSON(t, pub.Calls); !reflect.DeepEqual(got, want) {
		t.Errorf("published:\n got %q\nwant %q", got, want)
	}
	if got := stored(t, h.History, "news"); !slices.Equal(got, []string{"1:x", "2:y", "3:z"}) {
		t.Errorf("history %q: want each message once", got)
	}
}

// A direct invoke that failed can be retried with the same
// idempotency-key: the message keeps its id. Without a key it cannot.
func TestDirectInvokeIdempotencyKey(t *testing.T) {
	h, pub := newHandler(t)
	payload := json.RawMessage(`{"messages":[{"channel":"news","text":"a","idempotency-key":"order-42"},{"channel":"news","text":"b"}]}`)
	pub.Err = &grip.PublishError{Endpoint: "http://127.0.0.1:5561", Status: 503}
	if _, err := h.Handle(t.Context(), payload); err == nil || !strings.Contains(err.Error(), "published 0 of 2 messages") {
		t.Fatalf("failed invoke: %v", err)
	}
	pub.Err, pub.Calls = nil, nil
	if _, err := h.Handle(t.Context(), payload); err != nil {
		t.Fatal(err)
	}
	if it := pub.Calls[0]; it[0].ID != "1" || it[2].ID != "3" {
		t.Errorf("ids %s and %s, want 1 (kept) and 3", it[0].ID, it[2].ID)
	}
	if got := stored(t, h.History, "news"); !slices.Equal(got, []string{"1:a", "2:b", "3:b"}) {
		t.Errorf("history %q", got)
	}
}

// The sender's key also wins over the SQS message id, so a message sent
// twice (two SQS messages) is numbered and stored once; the same key with
// another text fails that record only.
func TestIdempotencyKeyAcrossSQSMessages(t *testing.T) {
	h, pub := newHandler(t)
	resp := h.HandleSQS(t.Context(), sqsEvent(
		"m1", `{"channel":"news","text":"hello","idempotency-key":"k"}`,
		"m2", `{"channel":"news","text":"hello","idempotency-key":"k"}`,
		"m3", `{"channel":"news","text":"other","idempotency-key":"k"}`,
		"m4", `{"channel":"news","text":"fine"}`,
	))
	if got := failures(resp); !slices.Equal(got, []string{"m3"}) {
		t.Errorf("failures %v, want the record reusing the key for another text", got)
	}
	if got := stored(t, h.History, "news"); !slices.Equal(got, []string{"1:hello", "2:fine"}) {
		t.Errorf("history %q", got)
	}
	if n := len(pub.Calls); n != 1 || pub.Calls[0][0].ID != "1" || pub.Calls[0][2].ID != "1" || pub.Calls[0][4].ID != "2" {
		t.Errorf("published %v", itemJSON(t, pub.Calls))
	}

	_, err := h.HandleDirect(t.Context(), []json.RawMessage{json.RawMessage(`{"channel":"news","text":"other","idempotency-key":"k"}`)})
	var inputErr *InputError
	if !errors.As(err, &inputErr) || inputErr.Field != "idempotency-key" {
		t.Errorf("direct invoke reusing a key: %v", err)
	}
}
