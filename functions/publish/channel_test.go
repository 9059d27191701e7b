package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/faas-grip/faas-grip-go/internal/feed"
	"github.com/faas-grip/faas-grip-go/internal/grip"
)

// A channel name that looks like another (bidi, zero-width, controls),
// invalid UTF-8, or the SSE twin of a channel is refused, naming the field.
func TestPublishRefusesBadChannelNames(t *testing.T) {
	tests := []struct{ channel, want string }{
		{`news\u202Eabc`, "U+202E at byte 4"},
		{`ne\u200Bws`, "U+200B at byte 2"},
		{`news\u0000`, "U+0000 at byte 4"},
		{`\u001Fnews`, "U+001F at byte 0"},
		{`\uFEFFnews`, "U+FEFF at byte 0"},
		// encoding/json would turn the byte into U+FFFD and publish to "news\uFFFD".
		{"news\xff", "invalid UTF-8"},
		{`news.sse`, "reserved for the Server-Sent Events twin"},
	}
	for _, tc := range tests {
		for _, body := range []string{`"text":"x"`, `"formats":{"http-stream":{"content":"event: admin\n"}}`} {
			t.Run(tc.want+"/"+body[:8], func(t *testing.T) {
				h, pub := newHandler(t)
				_, err := h.Handle(t.Context(), json.RawMessage(`{"channel":"`+tc.channel+`",`+body+`}`))
				var inputErr *InputError
				if !errors.As(err, &inputErr) || inputErr.Field != "channel" || !strings.Contains(err.Error(), tc.want) {
					t.Errorf("error %v, want an InputError on field channel saying %q", err, tc.want)
				}
				if len(pub.Calls) != 0 {
					t.Error("nothing may be published")
				}
			})
		}
	}
}

// Publishing to "news.sse" must not reach the SSE clients of "news": they
// get exactly the legitimate messages, with ids chained so Pushpin's prev-id
// check drops none of them.
func TestSSEClientsGetExactlyTheLegitimateMessages(t *testing.T) {
	h, pub := newHandler(t)
	rec := func(id, body string) events.SQSMessage {
		return events.SQSMessage{MessageId: id, EventSource: "aws:sqs", Body: body}
	}
	e := events.SQSEvent{Records: []events.SQSMessage{
		rec("m1", `{"channel":"news","text":"first"}`),
		rec("m2", `{"channel":"news.sse","text":"forged\nevent: admin"}`),
		rec("m3", `{"channel":"news.sse","formats":{"http-stream":{"content":"event: admin\ndata: forged\n\n"}}}`),
		rec("m4", `{"channel":"news","text":"second"}`),
	}}
	resp := h.HandleSQS(t.Context(), e)
	var failed []string
	for _, f := range resp.BatchItemFailures {
		failed = append(failed, f.ItemIdentifier)
	}
	if !reflect.DeepEqual(failed, []string{"m2", "m3"}) {
		t.Errorf("failed records %v, want the two aimed at the SSE twin", failed)
	}
	var sse []string
	for _, call := range pub.Calls {
		for _, it := range call {
			if it.Channel != feed.SSEChannel("news") {
				continue
			}
			sse = append(sse, it.PrevID+">"+it.ID+" "+string(it.Formats.HTTPStream.Content))
		}
	}
	want := []string{
		">1 " + string(feed.SSEEvent("1", "message", "first")),
		"1>2 " + string(feed.SSEEvent("2", "message", "second")),
	}
	if !reflect.DeepEqual(sse, want) {
		t.Errorf("SSE clients of news get\n%q\nwant\n%q", sse, want)
	}
}

// With GRIP_PREFIX the prefix counts towards a name's length, and so does the
// SSE twin: a name too long is that record's failure alone, found before
// anything is sent, and the rest of the batch is published.
func TestPublishChannelLengthCountsThePrefixAndTheTwin(t *testing.T) {
	h, pub := newHandler(t)
	h.Grip = grip.Config{Prefix: "pfx-"}
	rec := func(id, body string) events.SQSMessage {
		return events.SQSMessage{MessageId: id, EventSource: "aws:sqs", Body: body}
	}
	resp := h.HandleSQS(t.Context(), events.SQSEvent{Records: []events.SQSMessage{
		rec("m1", `{"channel":"news","text":"first"}`),
		rec("m2", `{"channel":"`+strings.Repeat("x", 250)+`","text":"too long with pfx- and .sse"}`),
		rec("m3", `{"channel":"news","formats":{"ws-message":{"content":"third"}}}`),
	}})
	if len(resp.BatchItemFailures) != 1 || resp.BatchItemFailures[0].ItemIdentifier != "m2" {
		t.Errorf("failures %+v, want m2 alone", resp.BatchItemFailures)
	}
	n := 0
	for _, call := range pub.Calls {
		n += len(call)
	}
	if n == 0 {
		t.Error("m1 and m3 must be published")
	}
}

// An item the library refuses to encode fails before anything is sent: the
// batch is then sent one message at a time, so only that message fails.
func TestAnItemErrorIsRefusedAlone(t *testing.T) {
	if !refused(fmt.Errorf("publish: %w", &grip.ItemError{Index: 1, Err: grip.ErrInvalidChannel})) {
		t.Error("an *grip.ItemError must count as refused")
	}
}
