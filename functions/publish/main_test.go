package main

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/faas-grip/faas-grip-go/internal/grip"
	"github.com/faas-grip/faas-grip-go/internal/history"
	"github.com/faas-grip/faas-grip-go/tools/eventtest"
)

func newHandler(t *testing.T) (*Handler, *eventtest.Publisher) {
	t.Helper()
	store, err := history.NewDirStore(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	pub := &eventtest.Publisher{}
	return &Handler{Publisher: pub, History: store, Logger: eventtest.Logger(t, "changeme")}, pub
}

// itemJSON renders each publish call's items exactly as they go on the wire.
func itemJSON(t *testing.T, calls [][]grip.Item) [][]string {
	t.Helper()
	var out [][]string
	for _, items := range calls {
		var call []string
		for _, it := range items {
			b, err := json.Marshal(it)
			if err != nil {
				t.Fatal(err)
			}
			call = append(call, string(b))
		}
		out = append(out, call)
	}
	return out
}

// textItems is what feed.Items makes of one text message, as JSON.
func textItems(channel, text, id, prev string) []string {
	ids := `"id":"` + id + `"`
	if prev != "" {
		ids += `,"prev-id":"` + prev + `"`
	}
	poll := `{\"channel\":\"` + channel + `\",\"messages\":[{\"id\":\"` + id + `\",\"text\":\"` + text + `\"}],\"last_id\":\"` + id + `\"}\n`
	return []string{
		`{"channel":"` + channel + `",` + ids + `,"formats":{` +
			`"http-response":{"code":200,"headers":{"Cache-Control":"no-cache","Content-Type":"application/json","X-Content-Type-Options":"nosniff"},"body":"` + poll + `"},` +
			`"http-stream":{"content":"` + text + `\n"},` +
			`"ws-message":{"content":"{\"type\":\"message\",\"id\":\"` + id + `\",\"text\":\"` + text + `\"}"}}}`,
		`{"channel":"` + channel + `.sse",` + ids + `,"formats":{"http-stream":{"content":"id: ` + id + `\nevent: message\ndata: ` + text + `\n\n"}}}`,
	}
}

func TestPublishEvents(t *testing.T) {
	cat := func(parts ...[]string) []string {
		var all []string
		for _, p := range parts {
			all = append(all, p...)
		}
		return all
	}
	tests := []struct {
		event     string
		response  string // the function's JSON answer
		published [][]string
	}{
		{
			event:    "publish-sqs.json",
			response: `{"batchItemFailures":[]}`,
			published: [][]string{cat(
				textItems("news", "first headline", "1", ""),
				textItems("news", "second headline", "2", "1"),
				textItems("chat", "system: the chat is now open", "1", ""),
			)},
		},
		{
			// Only the two bad records are reported; the good one is published.
			event: "publish-sqs-partial.json",
			response: `{"batchItemFailures":[{"itemIdentifier":"a1c2e3f4-0b1d-4e5f-8a9b-0c1d2e3f4a5b"},` +
				`{"itemIdentifier":"b2d3f4a5-1c2e-4f60-9b0c-1d2e3f4a5b6c"}]}`,
			published: [][]string{textItems("news", "this one is fine", "1", "")},
		},
		{
			event:     "publish-direct.json",
			response:  `{"published":1}`,
			published: [][]string{textItems("news", "hello from a direct invoke", "1", "")},
		},
		{
			event:    "publish-formats.json",
			response: `{"published":1}`,
			published: [][]string{{`{"channel":"news","id":"custom-1","formats":{` +
				`"http-response":{"code":200,"headers":{"Content-Type":"text/plain"},"body":"raw long-poll body\n"},` +
				`"http-stream":{"content":"raw stream chunk\n"},"ws-message":{"content":"raw ws message"}}}`}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.event, func(t *testing.T) {
			h, pub := newHandler(t)
			out := eventtest.Invoke(t, h.Handle, eventtest.Load(t, tc.event))
			if normalize(t, out) != normalize(t, []byte(tc.response)) {
				t.Errorf("response %s, want %s", out, tc.response)
			}
			got := itemJSON(t, pub.Calls)
			if !reflect.DeepEqual(got, tc.published) {
				t.Errorf("published:\n got %q\nwant %q", got, tc.published)
			}
		})
	}
}

func normalize(t *testing.T, b []byte) string {
	t.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("not JSON: %s", b)
	}
	if m, ok := v.(map[string]any); ok && m["batchItemFailures"] == nil {
		if _, isSQS := m["batchItemFailures"]; isSQS {
			m["batchItemFailures"] = []any{}
		}
	}
	n, _ := json.Marshal(v)
	return string(n)
}

func TestPublishFailureFailsEveryValidRecord(t *testing.T) {
	h, pub := newHandler(t)
	pub.Err = &grip.PublishError{Endpoint: "http://127.0.0.1:5561", Status: 503}
	var e events.SQSEvent
	if err := json.Unmarshal(eventtest.Load(t, "publish-sqs-partial.json"), &e); err != nil {
		t.Fatal(err)
	}
	resp := h.HandleSQS(t.Context(), e)
	if len(resp.BatchItemFailures) != 3 {
		t.Errorf("failures %v: want all three (two invalid, one unpublished)", resp.BatchItemFailures)
	}
}

func TestDirectInvokeErrorsNameTheField(t *testing.T) {
	tests := []struct {
		payload string
		want    string
	}{
		{`{"text":"x"}`, `field "channel": required`},
		{`{"channel":"news"}`, `field "text": one of "text" or "formats" is required`},
		{`{"channel":"news","text":"a","formats":{"ws-message":{"content":"b"}}}`, `field "formats": give "text" or "formats", not both`},
		{`{"channel":"a b","text":"x"}`, `field "channel"`},
		{`{"channel":"news","text":7}`, `field "text": must be a string`},
		{`{"channel":"news","txt":"x"}`, `field "txt": unknown field`},
		{`{"channel":"news","text":"x","id":"5"}`, `field "id"`},
		{`{"channel":"news","text":"x","idempotency-key":"` + strings.Repeat("k", 129) + `"}`, `field "idempotency-key": at most 128 bytes`},
		{`{"channel":"news","formats":{"ws-message":{"content":"x"}},"idempotency-key":"k"}`, `field "idempotency-key": only for "text" messages`},
		{`{"channel":"news","formats":{}}`, `field "formats": needs at least one`},
		{`{"channel":"news","formats":{"ws-message":{"content-bin":"%%%"}}}`, `field "formats.ws-message.content-bin": must be base64`},
		{`{"channel":"news","formats":{"ws-message":{"action":"explode"}}}`, `field "formats"`},
		{`{"channel":"news","formats":{"ws-message":{"bogus":1}}}`, `field "formats.ws-message.bogus": unknown field`},
		{`{"channel":"news",`, `truncated`},
		{`{"channel":"news","text":"x"} {}`, `trailing data`},
		{`{"messages":{"a":1}}`, `field "messages"`},
		{strings.Repeat("[", 20000), `malformed JSON`},
		{`{"channel":"news","text":"` + strings.Repeat("x", 1<<20) + `"}`, `larger than`},
	}
	for _, tc := range tests {
		name := tc.payload
		if len(name) > 60 {
			name = name[:60]
		}
		t.Run(name, func(t *testing.T) {
			h, pub := newHandler(t)
			_, err := h.Handle(t.Context(), json.RawMessage(tc.payload))
			var inputErr *InputError
			if !errors.As(err, &inputErr) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want an InputError containing %q", err, tc.want)
			}
			if len(pub.Calls) != 0 {
				t.Error("invalid input must publish nothing")
			}
		})
	}
}

func TestDirectInvokeBatch(t *testing.T) {
	h, pub := newHandler(t)
	out, err := h.Handle(t.Context(), json.RawMessage(`{"messages":[{"channel":"a","text":"1"},{"channel":"b","text":"2"},{"channel":"a","text":"3"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if out.(DirectResponse).Published != 3 || len(pub.Calls) != 1 || len(pub.Calls[0]) != 6 {
		t.Errorf("got %+v with %d calls: want 3 messages in one publish of 6 items", out, len(pub.Calls))
	}
	if ids := []string{pub.Calls[0][0].ID, pub.Calls[0][2].ID, pub.Calls[0][4].ID}; !reflect.DeepEqual(ids, []string{"1", "1", "2"}) {
		t.Errorf("ids %v: numbered per channel, in batch order", ids)
	}
}

func TestWithoutHistoryTextHasNoIDs(t *testing.T) {
	h, pub := newHandler(t)
	h.History = nil
	if _, err := h.Handle(t.Context(), eventtest.Load(t, "publish-direct.json")); err != nil {
		t.Fatal(err)
	}
	if it := pub.Calls[0][0]; it.ID != "" || it.PrevID != "" {
		t.Errorf("item %+v: no history, no ids", it)
	}
}
