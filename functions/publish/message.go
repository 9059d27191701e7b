package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/faas-grip/faas-grip-go/internal/feed"
	"github.com/faas-grip/faas-grip-go/internal/grip"
)

// maxMessageBytes bounds one message's JSON (SQS allows 256 KiB; a direct
// invoke up to 6 MB): larger input is refused with a clear error.
const maxMessageBytes = 1 << 20

// maxKeyBytes bounds a message's idempotency key.
const maxKeyBytes = 128

// Message is the publish request, the body of an SQS message or a direct invoke:
//
//	{"channel": "news", "text": "hello"}                    every kind of client
//	{"channel": "news", "text": "hi", "idempotency-key": "order-42"}
//	{"channel": "news", "id": "7", "formats": {...}}        raw GRIP formats
//
// With "text" the function adds ids from the channel history (when one is
// configured) so long-poll clients can resume. A message delivered again
// keeps the id it got the first time: SQS messages by their message id,
// others by their "idempotency-key" (which, when given, also wins for SQS
// messages, so a message sent twice is numbered once). With "formats" the
// GRIP formats (ws-message, http-stream, http-response) are published as given.
type Message struct {
	Channel        string           `json:"channel"`
	Text           *string          `json:"text,omitempty"`
	IdempotencyKey string           `json:"idempotency-key,omitempty"`
	Formats        *json.RawMessage `json:"formats,omitempty"`
	ID             string           `json:"id,omitempty"`
	PrevID         string           `json:"prev-id,omitempty"`
}

// InputError says what is wrong with a message, naming the field.
type InputError struct {
	Field  string
	Reason string
}

func (e *InputError) Error() string {
	if e.Field == "" {
		return "invalid message: " + e.Reason
	}
	return fmt.Sprintf("invalid message: field %q: %s", e.Field, e.Reason)
}

// parseMessage decodes and validates one message. It never echoes the input.
func parseMessage(body []byte, cfg grip.Config) (pending, error) {
	var m Message
	if len(body) > maxMessageBytes {
		return pending{}, &InputError{Reason: fmt.Sprintf("larger than %d bytes", maxMessageBytes)}
	}
	if err := checkKeys(body); err != nil {
		return pending{}, err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return pending{}, jsonInputError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return pending{}, &InputError{Reason: "trailing data after the JSON object"}
	}
	if m.Channel == "" {
		return pending{}, &InputError{Field: "channel", Reason: "required"}
	}
	// feed.CheckChannel also refuses the SSE twin of a channel ("news.sse"):
	// publishing there would reach the SSE clients of "news" unframed.
	if err := feed.CheckChannel(cfg, m.Channel); err != nil {
		return pending{}, &InputError{Field: "channel", Reason: feed.ChannelProblem(err)}
	}
	switch {
	case m.Text == nil && m.Formats == nil:
		return pending{}, &InputError{Field: "text", Reason: `one of "text" or "formats" is required`}
	case m.Text != nil && m.Formats != nil:
		return pending{}, &InputError{Field: "formats", Reason: `give "text" or "formats", not both`}
	case m.Text != nil:
		return parseText(m)
	}
	if m.IdempotencyKey != "" {
		return pending{}, &InputError{Field: "idempotency-key", Reason: `only for "text" messages (give "formats" messages your own ids)`}
	}
	formats, err := parseFormats(*m.Formats)
	if err != nil {
		return pending{}, err
	}
	item := grip.Item{Channel: m.Channel, ID: m.ID, PrevID: m.PrevID, Formats: formats}
	// Encode it now: a bad action or close code must fail this message, not
	// the publish request the whole batch shares.
	b, err := json.Marshal(item)
	if err != nil {
		return pending{}, &InputError{Field: "formats", Reason: err.Error()}
	}
	if err := checkSize("formats", len(b)+1); err != nil {
		return pending{}, err
	}
	return pending{msg: m, items: []grip.Item{item}, size: len(b) + 1}, nil
}

func parseText(m Message) (pending, error) {
	if !utf8.ValidString(*m.Text) {
		return pending{}, &InputError{Field: "text", Reason: "must be valid UTF-8 (send bytes with formats and content-bin)"}
	}
	if m.ID != "" || m.PrevID != "" {
		return pending{}, &InputError{Field: "id", Reason: `ids of "text" messages come from the channel history`}
	}
	if len(m.IdempotencyKey) > maxKeyBytes {
		return pending{}, &InputError{Field: "idempotency-key", Reason: fmt.Sprintf("at most %d bytes", maxKeyBytes)}
	}
	size, err := textSize(m.Channel, *m.Text)
	if err != nil {
		return pending{}, err
	}
	return pending{msg: m, size: size}, nil
}

func jsonInputError(err error) error {
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) {
		return &InputError{Field: typeErr.Field, Reason: "must be a " + typeErr.Type.String()}
	}
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "json: unknown field "); ok {
		return &InputError{Field: strings.Trim(name, `"`), Reason: "unknown field"}
	}
	var syntaxErr *json.SyntaxError
	if errors.As(err, &syntaxErr) {
		return &InputError{Reason: fmt.Sprintf("malformed JSON at byte %d", syntaxErr.Offset)}
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return &InputError{Reason: "empty or truncated JSON"}
	}
	return &InputError{Reason: "malformed JSON"}
}
