package main

import (
	"context"
	"net/http"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/faas-grip/faas-grip-go/internal/edge"
	"github.com/faas-grip/faas-grip-go/internal/grip"
	"github.com/faas-grip/faas-grip-go/internal/grip/apigw"
	"github.com/faas-grip/faas-grip-go/tools/eventtest"
)

// The sample events carry a Grip-Sig signed with Pushpin's default key.
const testGripURL = "http://127.0.0.1:5561?verify-iss=pushpin&verify-key=changeme"

// deployed is the chat as edge serves it: Lambda takes event JSON and checks
// Grip-Sig before the Handler (embedded, so tests can set its clock and
// limits) runs.
type deployed struct {
	*Handler
	Lambda lambda.Handler
}

// newHandler builds the chat through edge, as main does, with a recording
// publisher in place of the GRIP proxies.
func newHandler(t *testing.T, vars map[string]string) (*deployed, *eventtest.Publisher) {
	t.Helper()
	pub := &eventtest.Publisher{}
	d := &deployed{}
	var err error
	d.Lambda, err = edge.NewHTTPHandler(t.Context(), func(k string) string { return vars[k] }, eventtest.Logger(t, "changeme"),
		func(_ context.Context, cold edge.ColdStart) (apigw.Handler, error) {
			d.Handler = &Handler{Grip: cold.Grip, Publisher: pub, Channel: "chat", Tokens: cold.Tokens, Logger: cold.Logger}
			return d.Handler.Handle, nil
		}, pageIsPublic)
	if err != nil {
		t.Fatal(err)
	}
	return d, pub
}

// published renders each publish call as "channel text" lines.
func published(calls [][]grip.Item) [][]string {
	var out [][]string
	for _, items := range calls {
		var call []string
		for _, it := range items {
			call = append(call, it.Channel+" "+string(it.Formats.WSMessage.Content))
		}
		out = append(out, call)
	}
	return out
}

const subscribe = `TEXT c:{"channel":"chat","type":"subscribe"}`

func TestChatEvents(t *testing.T) {
	tests := []struct {
		event     string
		status    int
		header    map[string]string // exact values expected
		events    []string          // decoded WoH events of the response
		published [][]string        // one entry per publish call
	}{
		{
			event: "chat-open.json", status: 200,
			header: map[string]string{"Content-Type": "application/websocket-events", "Sec-Websocket-Extensions": "grip"},
			events: []string{"OPEN", subscribe, `TEXT m:{"type":"notice","code":"welcome","text":"welcome! you are anonymous; type /nick \u003cname\u003e to change it"}`},
		},
		{
			event: "chat-message.json", status: 200,
			header:    map[string]string{"Content-Type": "application/websocket-events"},
			events:    []string{},
			published: [][]string{{`chat {"type":"message","from":"alice","text":"hello"}`}},
		},
		{
			event: "chat-nick.json", status: 200,
			header: map[string]string{"Content-Type": "application/websocket-events", "Set-Meta-Nick": "alice"},
			events: []string{`TEXT m:{"type":"notice","code":"nick-changed","text":"you are now known as alice"}`},
		},
		{
			event: "chat-bad-nick.json", status: 200,
			header: map[string]string{"Content-Type": "application/websocket-events", "Set-Meta-Nick": ""},
			events: []string{`TEXT m:{"type":"notice","code":"bad-nick","text":"a nick is 1 to 32 printable characters, e.g. /nick alice"}`},
		},
		{
			// One publish for the batch; the nick changes mid-batch and is
			// bound for later requests.
			event: "chat-batch.json", status: 200,
			header: map[string]string{"Set-Meta-Nick": "bob"},
			events: []string{`TEXT m:{"type":"notice","code":"nick-changed","text":"you are now known as bob"}`},
			published: [][]string{{
				`chat {"type":"message","from":"alice","text":"first"}`,
				`chat {"type":"message","from":"bob","text":"second"}`,
				`chat {"type":"message","from":"bob","text":"ünïcödé ✓"}`,
			}},
		},
		{
			event: "chat-close.json", status: 200,
			events: []string{"CLOSE \x03\xe8"},
		},
		{
			event: "chat-disconnect.json", status: 200,
			events: []string{},
		},
		{
			event: "chat-ping.json", status: 200,
			events: []string{"PONG beat"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.event, func(t *testing.T) {
			h, pub := newHandler(t, map[string]string{"GRIP_URL": testGripURL})
			out := eventtest.Invoke(t, h.Lambda, eventtest.Load(t, tc.event))
			resp, body := eventtest.RESTResponse(t, out)
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d; body %q", resp.StatusCode, tc.status, body)
			}
			if len(body) > 0 && !resp.IsBase64Encoded {
				t.Error("a WebSocket-over-HTTP body must be base64 (isBase64Encoded) for the REST API's binary media type")
			}
			for k, want := range tc.header {
				got, ok := resp.Headers[k]
				if !ok && want != "" {
					t.Errorf("header %s missing, want %q (headers %v)", k, want, resp.Headers)
				}
				if got != want {
					t.Errorf("header %s = %q, want %q", k, got, want)
				}
			}
			if got := eventtest.Events(t, body); !reflect.DeepEqual(got, tc.events) {
				t.Errorf("events:\n got %q\nwant %q", got, tc.events)
			}
			if got := published(pub.Calls); !reflect.DeepEqual(got, tc.published) {
				t.Errorf("published:\n got %q\nwant %q", got, tc.published)
			}
		})
	}
}

func TestChatPage(t *testing.T) {
	h, _ := newHandler(t, map[string]string{"GRIP_URL": testGripURL})
	out := eventtest.Invoke(t, h.Lambda, eventtest.Load(t, "chat-page.json"))
	resp, body := eventtest.RESTResponse(t, out)
	if resp.StatusCode != 200 || resp.Headers["Content-Type"] != "text/html; charset=utf-8" {
		t.Fatalf("status %d content type %q", resp.StatusCode, resp.Headers["Content-Type"])
	}
	if resp.IsBase64Encoded {
		t.Error("the page is text: it should not be base64")
	}
	page, err := os.ReadFile("chat.html")
	if err != nil || string(body) != string(page) {
		t.Errorf("the body is not chat.html (%d bytes vs %d, %v)", len(body), len(page), err)
	}
	for _, want := range []string{"<title>faas-grip chat</title>", "new WebSocket(", `id="message"`} {
		if !strings.Contains(string(body), want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if strings.Contains(string(body), "http://") || strings.Contains(string(body), "https://") {
		t.Error("the page must be self-contained: no external URLs")
	}
}

// The other front doors give the same answer in their own response type.
func TestChatOtherFrontDoors(t *testing.T) {
	for _, event := range []string{"chat-message-restapi.json", "chat-message-function-url.json"} {
		t.Run(event, func(t *testing.T) {
			h, pub := newHandler(t, map[string]string{"GRIP_URL": testGripURL})
			out := eventtest.Invoke(t, h.Lambda, eventtest.Load(t, event))
			var resp struct {
				StatusCode      int               `json:"statusCode"`
				Headers         map[string]string `json:"headers"`
				Body            string            `json:"body"`
				IsBase64Encoded bool              `json:"isBase64Encoded"`
			}
			decodeJSON(t, out, &resp)
			// The headers: the content type and the rate limit's bucket, bound for the next request.
			if resp.StatusCode != 200 || resp.Headers["Content-Type"] != "application/websocket-events" ||
				resp.Headers["Set-Meta-Chat-Rate"] == "" || len(resp.Headers) != 2 || resp.Body != "" {
				t.Fatalf("got %+v, want 200, exactly Content-Type application/websocket-events and Set-Meta-Chat-Rate, and no events", resp)
			}
			if got := published(pub.Calls); !reflect.DeepEqual(got, [][]string{{`chat {"type":"message","from":"alice","text":"hello"}`}}) {
				t.Errorf("published %q", got)
			}
		})
	}
}

func TestChatRefusesUnsignedAndForged(t *testing.T) {
	tests := []struct {
		name   string
		sig    string
		status int
	}{
		{"no Grip-Sig", "", http.StatusUnauthorized},
		{"forged Grip-Sig", "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJleHAiOjQxMDI0NDQ4MDAsImlzcyI6InB1c2hwaW4ifQ.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", http.StatusForbidden},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h, pub := newHandler(t, map[string]string{"GRIP_URL": testGripURL})
			r := &apigw.Request{Method: "POST", Header: http.Header{
				"Content-Type": {"application/websocket-events"}, "Connection-Id": {"c1"},
			}, Body: []byte("TEXT 5\r\nhello\r\n")}
			if tc.sig != "" {
				r.Header.Set("Grip-Sig", tc.sig)
			}
			resp, _ := eventtest.Serve(t, h.Lambda, r)
			if resp.Status != tc.status {
				t.Errorf("status %d, want %d", resp.Status, tc.status)
			}
			if len(pub.Calls) != 0 {
				t.Error("a refused request must publish nothing")
			}
		})
	}
}

func TestChatNotWebSocketOverHTTP(t *testing.T) {
	h, _ := newHandler(t, map[string]string{"GRIP_URL": testGripURL})
	var e map[string]any
	decodeJSON(t, eventtest.Load(t, "chat-message.json"), &e)
	e["headers"].(map[string]any)["content-type"] = "text/plain"
	out := eventtest.Invoke(t, h.Lambda, encodeJSON(t, e))
	resp, body := eventtest.RESTResponse(t, out)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), "websocket-events") {
		t.Errorf("status %d body %q, want 400 naming the content type", resp.StatusCode, body)
	}
}

func TestChatPublishFailureTellsTheSender(t *testing.T) {
	h, pub := newHandler(t, map[string]string{"GRIP_URL": testGripURL})
	pub.Err = &grip.PublishError{Endpoint: "http://127.0.0.1:5561", Status: 503}
	out := eventtest.Invoke(t, h.Lambda, eventtest.Load(t, "chat-message.json"))
	_, body := eventtest.RESTResponse(t, out)
	want := []string{`TEXT m:{"type":"notice","code":"not-delivered","text":"your message could not be delivered, please send it again"}`}
	if got := eventtest.Events(t, body); !reflect.DeepEqual(got, want) {
		t.Errorf("events %q, want %q", got, want)
	}
}

// With two GRIP endpoints, one accepting the broadcast and one failing, the
// first one's clients already have the message: the sender must not be asked
// to send it again (they would see it twice); the other endpoint gets one more
// try, and only it.
func TestChatPartialDeliveryIsNotResent(t *testing.T) {
	for _, tc := range []struct {
		name      string
		exceptErr error
	}{
		{"retry succeeds", nil},
		{"retry fails too", &grip.PublishError{Endpoint: "http://b:5561", EndpointID: "ep-b", Status: 503}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, pub := newHandler(t, map[string]string{"GRIP_URL": testGripURL})
			pub.Err = &grip.DeliveryError{
				Failed:    []*grip.PublishError{{Endpoint: "http://b:5561", EndpointID: "ep-b", Status: 503}},
				Delivered: []string{"ep-a"},
			}
			pub.ExceptErr = tc.exceptErr
			out := eventtest.Invoke(t, h.Lambda, eventtest.Load(t, "chat-message.json"))
			_, body := eventtest.RESTResponse(t, out)
			if got := eventtest.Events(t, body); len(got) != 0 {
				t.Errorf("events %q, want none: endpoint A's clients already have the message", got)
			}
			if len(pub.ExceptCalls) != 1 || !reflect.DeepEqual(pub.Skipped[0], []string{"ep-a"}) || !reflect.DeepEqual(published(pub.ExceptCalls), published(pub.Calls)) {
				t.Errorf("retries %v skipping %v, want one retry of the same items skipping ep-a", published(pub.ExceptCalls), pub.Skipped)
			}
		})
	}
}

func TestNickValidation(t *testing.T) {
	for name, ok := range map[string]bool{
		"alice": true, "Zoë 🌟": true, strings.Repeat("é", 32): true,
		"": false, strings.Repeat("x", 33): false, "bad\nnick": false, "nul\x00": false, "bell\a": false,
	} {
		if err := validateNick(name); (err == nil) != ok {
			t.Errorf("validateNick(%q) = %v, want ok=%v", name, err, ok)
		}
	}
	if got := nickFromMeta(nickToMeta("Zoë 🌟")); got != "Zoë 🌟" {
		t.Errorf("meta round trip: %q", got)
	}
	if got := nickFromMeta("%zz"); got != defaultNick {
		t.Errorf("a broken meta value falls back to %q, got %q", defaultNick, got)
	}
}

// hungEndpoint's Publish hangs until its budget runs out, as an endpoint that
// never answers would, after another endpoint took the items.
type hungEndpoint struct {
	eventtest.Publisher
	retryCtxErr error
	retried     bool
}

func (p *hungEndpoint) Publish(ctx context.Context, items ...grip.Item) error {
	<-ctx.Done()
	return &grip.DeliveryError{Failed: []*grip.PublishError{{Endpoint: "http://b:5561", EndpointID: "ep-b", Err: ctx.Err()}}, Delivered: []string{"ep-a"}}
}

func (p *hungEndpoint) PublishExcept(ctx context.Context, skip []string, items ...grip.Item) error {
	p.retried, p.retryCtxErr = true, ctx.Err()
	return nil
}

// The one more try to the endpoint that missed a broadcast has a budget of
// its own: the hung endpoint used up the first.
func TestChatRetryAfterAHungEndpointHasItsOwnBudget(t *testing.T) {
	h, _ := newHandler(t, map[string]string{"GRIP_URL": testGripURL})
	pub := &hungEndpoint{}
	h.Publisher = pub
	eventtest.Invoke(t, h.Lambda, eventtest.Load(t, "chat-message.json"))
	if !pub.retried || pub.retryCtxErr != nil {
		t.Errorf("retried %v with context error %v, want a retry with time left", pub.retried, pub.retryCtxErr)
	}
}
