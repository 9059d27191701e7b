package edge

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"reflect"
	"testing"

	"github.com/faas-grip/faas-grip-go/internal/grip/apigw"

	"github.com/aws/aws-lambda-go/events"
)

func decodeEvent[E any](t testing.TB, eventJSON string) *E {
	t.Helper()
	var e E
	if err := json.Unmarshal([]byte(eventJSON), &e); err != nil {
		t.Fatalf("test event does not decode: %v", err)
	}
	return &e
}

func assertRequest(t *testing.T, got, want *apigw.Request) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("request mismatch\n got: %#v\nwant: %#v", got, want)
	}
}

func TestFromV1(t *testing.T) {
	tests := []struct {
		name  string
		event string
		want  *apigw.Request
	}{
		{"REST API chat event", restChatEvent, &apigw.Request{
			Method: "POST",
			Path:   "/chat",
			Header: http.Header{
				"Accept":                 {"application/websocket-events"},
				"Connection-Id":          {"7f2c9d"},
				"Content-Type":           {"application/websocket-events"},
				"Grip-Sig":               {testGripSig},
				"Host":                   {"abc123.execute-api.us-east-1.amazonaws.com"},
				"Meta-User":              {"alice"},
				"Meta-Gone":              {""},
				"Sec-Websocket-Protocol": {"chat.v1", "chat.v2"},
				"X-Forwarded-For":        {"203.0.113.9, 198.51.100.2"},
			},
			Query:     url.Values{"room": {"a", "b"}, "lang": {"en"}},
			Body:      []byte(wohHello),
			RequestID: "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
			SourceIP:  "203.0.113.9",
		}},
		{"hand-written event with single-value maps only", `{
			"httpMethod": "GET", "path": "/stream",
			"headers": {"accept": "text/event-stream", "X-CUSTOM-thing": "1"},
			"queryStringParameters": {"last": "42"},
			"body": "plain text", "isBase64Encoded": false}`, &apigw.Request{
			Method: "GET", Path: "/stream",
			Header: http.Header{"Accept": {"text/event-stream"}, "X-Custom-Thing": {"1"}},
			Query:  url.Values{"last": {"42"}},
			Body:   []byte("plain text"),
		}},
		{"a header only in multiValueHeaders and one only in headers", `{
			"httpMethod": "POST", "path": "/p",
			"headers": {"Content-Type": "text/plain"},
			"multiValueHeaders": {"grip-channel": ["a", "b"]},
			"multiValueQueryStringParameters": {"x": ["1", "2"]},
			"queryStringParameters": {"y": "3"}}`, &apigw.Request{
			Method: "POST", Path: "/p",
			Header: http.Header{"Content-Type": {"text/plain"}, "Grip-Channel": {"a", "b"}},
			Query:  url.Values{"x": {"1", "2"}, "y": {"3"}},
		}},
		{"one name in two spellings merges in sorted key order", `{
			"httpMethod": "POST", "path": "/p",
			"headers": {"x-a": "2", "X-B": "1", "x-b": "2"},
			"multiValueHeaders": {"x-a": ["2"], "X-A": ["1"]}}`, &apigw.Request{
			Method: "POST", Path: "/p",
			Header: http.Header{"X-A": {"1", "2"}, "X-B": {"1"}},
			Query:  url.Values{},
		}},
		{"method only in requestContext, empty body", `{
			"path": "/p", "body": "", "isBase64Encoded": true,
			"requestContext": {"httpMethod": "DELETE", "requestId": "r1", "identity": {"sourceIp": "192.0.2.1"}}}`, &apigw.Request{
			Method: "DELETE", Path: "/p", Header: http.Header{}, Query: url.Values{},
			RequestID: "r1", SourceIP: "192.0.2.1",
		}},
		{"binary body survives", `{"httpMethod": "POST", "path": "/b", "body": "AP8Q", "isBase64Encoded": true}`, &apigw.Request{
			Method: "POST", Path: "/b", Header: http.Header{}, Query: url.Values{},
			Body: []byte{0x00, 0xff, 0x10},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Several runs: map order must not change the result.
			for range 20 {
				got, err := fromV1(decodeEvent[events.APIGatewayProxyRequest](t, tt.event))
				if err != nil {
					t.Fatalf("fromV1: %v", err)
				}
				assertRequest(t, got, tt.want)
			}
		})
	}
}

func TestFromV2(t *testing.T) {
	tests := []struct {
		name  string
		event string
		want  *apigw.Request
	}{
		{"HTTP API chat event", httpAPIChatEvent, &apigw.Request{
			Method: "POST",
			Path:   "/chat",
			Header: http.Header{
				"Accept":                 {"application/websocket-events"},
				"Connection-Id":          {"7f2c9d"},
				"Content-Type":           {"application/websocket-events"},
				"Grip-Sig":               {testGripSig},
				"Meta-User":              {"alice"},
				"Meta-Gone":              {""},
				"Sec-Websocket-Protocol": {"chat.v1,chat.v2"},
				"Cookie":                 {"session=s1; theme=dark"},
			},
			Query:     url.Values{"room": {"a", "b"}, "q": {"a b"}},
			Body:      []byte(wohHello),
			RequestID: "JKJaXmPLvHcESHA=",
			SourceIP:  "203.0.113.9",
		}},
		{"text body, path from requestContext, query from parameters", `{
			"version": "2.0", "routeKey": "$default",
			"queryStringParameters": {"last": "42"},
			"headers": {"content-type": "text/plain"},
			"requestContext": {"http": {"method": "PUT", "path": "/p"}},
			"body": "héllo", "isBase64Encoded": false}`, &apigw.Request{
			Method: "PUT", Path: "/p",
			Header: http.Header{"Content-Type": {"text/plain"}},
			Query:  url.Values{"last": {"42"}},
			Body:   []byte("héllo"),
		}},
		{"malformed query pairs are dropped", `{
			"version": "2.0", "routeKey": "$default", "rawPath": "/p", "rawQueryString": "a=%zz&b=1",
			"requestContext": {"http": {"method": "GET"}}}`, &apigw.Request{
			Method: "GET", Path: "/p", Header: http.Header{}, Query: url.Values{"b": {"1"}},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := fromV2(decodeEvent[events.APIGatewayV2HTTPRequest](t, tt.event))
			if err != nil {
				t.Fatalf("fromV2: %v", err)
			}
			assertRequest(t, got, tt.want)
		})
	}
}

// A function URL event has the members of payload 2.0 without the route:
// the adapter reads it as one.
func TestFromFunctionURL(t *testing.T) {
	got, err := fromV2(decodeEvent[events.APIGatewayV2HTTPRequest](t, functionURLChatEvent))
	if err != nil {
		t.Fatalf("fromV2: %v", err)
	}
	assertRequest(t, got, &apigw.Request{
		Method: "POST",
		Path:   "/chat",
		Header: http.Header{
			"Content-Type":  {"application/websocket-events"},
			"Connection-Id": {"7f2c9d"},
			"Grip-Sig":      {testGripSig},
			"Meta-User":     {"alice"},
			"Cookie":        {"session=s1"},
		},
		Query:     url.Values{},
		Body:      []byte(wohHello),
		RequestID: "0d2a3c5e-1f6b-4c1d-9a8e-2b7f0c4d5e6f",
		SourceIP:  "203.0.113.9",
	})
}

func TestFromErrors(t *testing.T) {
	const badBody = "not base64!"
	tests := []struct {
		name string
		from func() (*apigw.Request, error)
		want error
	}{
		{"v1 bad base64", func() (*apigw.Request, error) {
			return fromV1(&events.APIGatewayProxyRequest{HTTPMethod: "POST", Body: badBody, IsBase64Encoded: true})
		}, errBadBody},
		{"v2 bad base64", func() (*apigw.Request, error) {
			return fromV2(&events.APIGatewayV2HTTPRequest{Body: badBody, IsBase64Encoded: true})
		}, errBadBody},
		{"v1 nil", func() (*apigw.Request, error) { return fromV1(nil) }, errUnknownEvent},
		{"v2 nil", func() (*apigw.Request, error) { return fromV2(nil) }, errUnknownEvent},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := tt.from()
			if !errors.Is(err, tt.want) || req != nil {
				t.Fatalf("got %v, %v; want nil, %v", req, err, tt.want)
			}
			if tt.want == errBadBody {
				var corrupt base64.CorruptInputError
				if !errors.As(err, &corrupt) {
					t.Errorf("%v: want a base64.CorruptInputError inside", err)
				}
			}
		})
	}
}

// adapt gives the handler what fromV1 or fromV2 gives for the event's
// type, whatever the front door.
func TestAdaptSeesWhatFromSees(t *testing.T) {
	tests := []struct {
		name  string
		event string
		from  func(string) (*apigw.Request, error)
	}{
		{"REST API", restChatEvent, func(ev string) (*apigw.Request, error) {
			return fromV1(decodeEvent[events.APIGatewayProxyRequest](t, ev))
		}},
		{"HTTP API", httpAPIChatEvent, func(ev string) (*apigw.Request, error) {
			return fromV2(decodeEvent[events.APIGatewayV2HTTPRequest](t, ev))
		}},
		{"function URL", functionURLChatEvent, func(ev string) (*apigw.Request, error) {
			return fromV2(decodeEvent[events.APIGatewayV2HTTPRequest](t, ev))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want, err := tt.from(tt.event)
			if err != nil {
				t.Fatal(err)
			}
			var seen *apigw.Request
			if _, err := invoke(t, echoWoH(&seen), tt.event); err != nil {
				t.Fatal(err)
			}
			assertRequest(t, seen, want)
		})
	}
}
