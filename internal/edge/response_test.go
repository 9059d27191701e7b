package edge

import (
	"encoding/base64"
	"net/http"
	"reflect"
	"slices"
	"testing"

	"github.com/faas-grip/faas-grip-go/internal/grip/apigw"

	"github.com/aws/aws-lambda-go/events"
)

func TestResponseConversions(t *testing.T) {
	const wohOpen = "OPEN\r\nTEXT 5\r\nhello\r\n"
	b64 := base64.StdEncoding.EncodeToString

	tests := []struct {
		name string
		resp *apigw.Response
		v1   events.APIGatewayProxyResponse
		v2   events.APIGatewayV2HTTPResponse // functionURLResponse must match it field for field
	}{
		{
			name: "WebSocket-over-HTTP accept: base64, exact Content-Type, empty meta kept",
			resp: &apigw.Response{
				Status: http.StatusOK,
				Header: http.Header{
					"Content-Type":           {"application/websocket-events"},
					"Sec-Websocket-Protocol": {"chat.v2"},
					"Set-Meta-User":          {"alice"},
					"Set-Meta-Gone":          {""},
				},
				Body: []byte(wohOpen),
			},
			v1: events.APIGatewayProxyResponse{
				StatusCode: 200,
				Headers: map[string]string{
					"Content-Type":           "application/websocket-events",
					"Sec-Websocket-Protocol": "chat.v2",
					"Set-Meta-User":          "alice",
					"Set-Meta-Gone":          "",
				},
				Body:            b64([]byte(wohOpen)),
				IsBase64Encoded: true,
			},
			v2: events.APIGatewayV2HTTPResponse{
				StatusCode: 200,
				Headers: map[string]string{
					"Content-Type":           "application/websocket-events",
					"Sec-Websocket-Protocol": "chat.v2",
					"Set-Meta-User":          "alice",
					"Set-Meta-Gone":          "",
				},
				Body:            b64([]byte(wohOpen)),
				IsBase64Encoded: true,
			},
		},
		{
			name: "JSON is text",
			resp: &apigw.Response{Status: 201, Header: http.Header{"Content-Type": {"application/json"}}, Body: []byte(`{"ok":true}`)},
			v1: events.APIGatewayProxyResponse{
				StatusCode: 201, Headers: map[string]string{"Content-Type": "application/json"}, Body: `{"ok":true}`,
			},
			v2: events.APIGatewayV2HTTPResponse{
				StatusCode: 201, Headers: map[string]string{"Content-Type": "application/json"}, Body: `{"ok":true}`,
			},
		},
		{
			name: "text that is not UTF-8 goes as base64",
			resp: &apigw.Response{Status: 200, Header: http.Header{"Content-Type": {"text/plain; charset=latin1"}}, Body: []byte("caf\xe9")},
			v1: events.APIGatewayProxyResponse{
				StatusCode: 200, Headers: map[string]string{"Content-Type": "text/plain; charset=latin1"},
				Body: b64([]byte("caf\xe9")), IsBase64Encoded: true,
			},
			v2: events.APIGatewayV2HTTPResponse{
				StatusCode: 200, Headers: map[string]string{"Content-Type": "text/plain; charset=latin1"},
				Body: b64([]byte("caf\xe9")), IsBase64Encoded: true,
			},
		},
		{
			name: "no Content-Type means binary",
			resp: &apigw.Response{Status: 200, Body: []byte("abc")},
			v1:   events.APIGatewayProxyResponse{StatusCode: 200, Body: "YWJj", IsBase64Encoded: true},
			v2:   events.APIGatewayV2HTTPResponse{StatusCode: 200, Body: "YWJj", IsBase64Encoded: true},
		},
		{
			name: "repeated headers and cookies",
			resp: &apigw.Response{
				Status: 200,
				Header: http.Header{
					"Content-Type": {"text/plain"},
					"Grip-Hold":    {"stream"},
					"Grip-Channel": {"room-a", "room-b; prev-id=7"},
					"Set-Cookie":   {"a=1; Path=/", "b=2"},
					"X-Empty-List": {},
				},
				Body: []byte("ok"),
			},
			v1: events.APIGatewayProxyResponse{
				StatusCode: 200,
				Headers:    map[string]string{"Content-Type": "text/plain", "Grip-Hold": "stream"},
				MultiValueHeaders: map[string][]string{
					"Grip-Channel": {"room-a", "room-b; prev-id=7"},
					"Set-Cookie":   {"a=1; Path=/", "b=2"},
				},
				Body: "ok",
			},
			v2: events.APIGatewayV2HTTPResponse{
				StatusCode: 200,
				Headers: map[string]string{
					"Content-Type": "text/plain",
					"Grip-Hold":    "stream",
					"Grip-Channel": "room-a, room-b; prev-id=7",
				},
				Cookies: []string{"a=1; Path=/", "b=2"},
				Body:    "ok",
			},
		},
		{
			name: "zero status is 200, empty body is not base64",
			resp: &apigw.Response{Header: http.Header{"Content-Type": {"application/octet-stream"}}},
			v1:   events.APIGatewayProxyResponse{StatusCode: 200, Headers: map[string]string{"Content-Type": "application/octet-stream"}},
			v2:   events.APIGatewayV2HTTPResponse{StatusCode: 200, Headers: map[string]string{"Content-Type": "application/octet-stream"}},
		},
		{
			name: "nil response is an empty 200",
			resp: nil,
			v1:   events.APIGatewayProxyResponse{StatusCode: 200},
			v2:   events.APIGatewayV2HTTPResponse{StatusCode: 200},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := restAPIResponse(tt.resp); !reflect.DeepEqual(got, tt.v1) {
				t.Errorf("V1\n got: %#v\nwant: %#v", got, tt.v1)
			}
			if got := httpAPIResponse(tt.resp); !reflect.DeepEqual(got, tt.v2) {
				t.Errorf("V2\n got: %#v\nwant: %#v", got, tt.v2)
			}
			wantURL := events.LambdaFunctionURLResponse{
				StatusCode: tt.v2.StatusCode, Headers: tt.v2.Headers, Body: tt.v2.Body,
				IsBase64Encoded: tt.v2.IsBase64Encoded, Cookies: tt.v2.Cookies,
			}
			if got := functionURLResponse(tt.resp); !reflect.DeepEqual(got, wantURL) {
				t.Errorf("FunctionURL\n got: %#v\nwant: %#v", got, wantURL)
			}
		})
	}
}

func TestIsTextual(t *testing.T) {
	text := []string{
		"text/plain", "text/plain; charset=utf-8", "TEXT/HTML", "text/event-stream",
		"application/json", "application/json; charset=utf-8", "application/problem+json",
		"application/xml", "image/svg+xml", "application/javascript", "text/javascript",
		"application/x-www-form-urlencoded", " application/grip-instruct ",
	}
	binary := []string{
		"", "application/websocket-events", "application/octet-stream", "image/png",
		"application/jsonx", "application/x-protobuf", "multipart/form-data",
	}
	for _, ct := range text {
		if !isTextual(ct) {
			t.Errorf("isTextual(%q) = false, want true", ct)
		}
	}
	for _, ct := range binary {
		if isTextual(ct) {
			t.Errorf("isTextual(%q) = true, want false", ct)
		}
	}
}

func TestHelpers(t *testing.T) {
	tests := []struct {
		name       string
		resp       *apigw.Response
		status     int
		header     http.Header
		body       string
		wantBase64 bool
	}{
		{"Text with a type", apigw.Text(200, "application/websocket-events", "OPEN\r\n"), 200,
			http.Header{"Content-Type": {"application/websocket-events"}}, "OPEN\r\n", true},
		{"Text default type", apigw.Text(202, "", "queued"), 202,
			http.Header{"Content-Type": {"text/plain; charset=utf-8"}}, "queued", false},
		{"Error with message", apigw.Error(400, "not a WebSocket-over-HTTP request"), 400,
			http.Header{"Content-Type": {"text/plain; charset=utf-8"}, "X-Content-Type-Options": {"nosniff"}},
			"not a WebSocket-over-HTTP request\n", false},
		{"Error without message", apigw.Error(403, ""), 403,
			http.Header{"Content-Type": {"text/plain; charset=utf-8"}, "X-Content-Type-Options": {"nosniff"}},
			"Forbidden\n", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.resp.Status != tt.status || !reflect.DeepEqual(tt.resp.Header, tt.header) || string(tt.resp.Body) != tt.body {
				t.Fatalf("got %d %v %q; want %d %v %q", tt.resp.Status, tt.resp.Header, tt.resp.Body, tt.status, tt.header, tt.body)
			}
			if v1 := restAPIResponse(tt.resp); v1.IsBase64Encoded != tt.wantBase64 {
				t.Errorf("V1 IsBase64Encoded = %v, want %v", v1.IsBase64Encoded, tt.wantBase64)
			}
		})
	}
}

// The converted headers must not share memory with the Response: a handler
// may keep and reuse its header map.
func TestResponseHeadersAreCopies(t *testing.T) {
	r := &apigw.Response{Header: http.Header{"Grip-Channel": {"a", "b"}}}
	v1 := restAPIResponse(r)
	r.Header["Grip-Channel"][0] = "changed"
	if got := v1.MultiValueHeaders["Grip-Channel"]; !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf("V1 multi-value header changed with the Response: %v", got)
	}
}
