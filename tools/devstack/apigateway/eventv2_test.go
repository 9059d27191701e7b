package apigateway

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/faas-grip/faas-grip-go/tools/template"
)

func TestHTTPAPIEventIsPayload2(t *testing.T) {
	srv, rec := fakeGateway(t, Config{Routes: []Route{
		{Method: "POST", Path: "/items/{id}", API: template.KindHTTPAPI},
	}}, `{"statusCode":200}`)

	h := http.Header{}
	h.Add("X-Multi", "a")
	h.Add("X-Multi", "b")
	h.Add("Cookie", "c1=v1; c2=v2")
	h.Set("User-Agent", "probe/1")
	h.Set("Content-Type", "application/json")
	resp, _ := send(t, "POST", srv.URL+"/items/42?q=1&q=2&r=x", "", `{"a":1}`, h)
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	var ev events.APIGatewayV2HTTPRequest
	if err := json.Unmarshal(rec.last(), &ev); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ name, got, want string }{
		{"version", ev.Version, "2.0"},
		{"routeKey", ev.RouteKey, "POST /items/{id}"},
		{"rawPath", ev.RawPath, "/items/42"},
		{"rawQueryString", ev.RawQueryString, "q=1&q=2&r=x"},
		{"headers[x-multi]", ev.Headers["x-multi"], "a,b"},
		{"headers[content-type]", ev.Headers["content-type"], "application/json"},
		{"headers[cookie]", ev.Headers["cookie"], ""},
		{"queryStringParameters[q]", ev.QueryStringParameters["q"], "1,2"},
		{"pathParameters[id]", ev.PathParameters["id"], "42"},
		{"requestContext.stage", ev.RequestContext.Stage, "$default"},
		{"requestContext.routeKey", ev.RequestContext.RouteKey, "POST /items/{id}"},
		{"requestContext.http.method", ev.RequestContext.HTTP.Method, "POST"},
		{"requestContext.http.path", ev.RequestContext.HTTP.Path, "/items/42"},
		{"requestContext.http.protocol", ev.RequestContext.HTTP.Protocol, "HTTP/1.1"},
		{"requestContext.http.sourceIp", ev.RequestContext.HTTP.SourceIP, "127.0.0.1"},
		{"requestContext.http.userAgent", ev.RequestContext.HTTP.UserAgent, "probe/1"},
		{"requestContext.apiId", ev.RequestContext.APIID, "local"},
		{"body", ev.Body, `{"a":1}`},
	} {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
		}
	}
	if !reflect.DeepEqual(ev.Cookies, []string{"c1=v1", "c2=v2"}) {
		t.Errorf("cookies = %q", ev.Cookies)
	}
	if ev.IsBase64Encoded || ev.RequestContext.TimeEpoch == 0 || ev.RequestContext.Time == "" || ev.RequestContext.DomainName == "" {
		t.Errorf("isBase64Encoded %v, time %q/%d, domainName %q", ev.IsBase64Encoded, ev.RequestContext.Time, ev.RequestContext.TimeEpoch, ev.RequestContext.DomainName)
	}
	for name := range ev.Headers {
		if name != strings.ToLower(name) {
			t.Errorf("header %q is not lower case", name)
		}
	}
}

// HTTP APIs have no binary media types: they base64-encode what is not text.
func TestHTTPAPIBodyEncoding(t *testing.T) {
	srv, rec := fakeGateway(t, Config{
		Routes:           []Route{{Method: "POST", Path: "/b", API: template.KindHTTPAPI}},
		BinaryMediaTypes: []string{"text/plain"}, // a REST setting: ignored here
	}, `{"statusCode":200}`)
	for _, tc := range []struct {
		contentType string
		base64      bool
	}{
		{"text/plain; charset=utf-8", false},
		{"application/json", false},
		{"application/ld+json", false},
		{"application/xml", false},
		{"application/javascript", false},
		{"application/websocket-events", true},
		{"application/octet-stream", true},
		{"application/x-www-form-urlencoded", true},
		{"", true},
	} {
		h := http.Header{}
		if tc.contentType != "" {
			h.Set("Content-Type", tc.contentType)
		}
		send(t, "POST", srv.URL+"/b", "", "TEXT 2\r\nhi\r\n", h)
		var ev events.APIGatewayV2HTTPRequest
		_ = json.Unmarshal(rec.last(), &ev)
		body := ev.Body
		if ev.IsBase64Encoded {
			b, _ := base64.StdEncoding.DecodeString(body)
			body = string(b)
		}
		if ev.IsBase64Encoded != tc.base64 || body != "TEXT 2\r\nhi\r\n" {
			t.Errorf("Content-Type %q: isBase64Encoded %v (want %v), body %q", tc.contentType, ev.IsBase64Encoded, tc.base64, body)
		}
	}
}

func TestHTTPAPIResponses(t *testing.T) {
	for _, tc := range []struct {
		name, answer string
		status       int
		body         string
		header       http.Header
	}{
		{"structured", `{"statusCode":201,"headers":{"x-a":"1"},"body":"hi"}`, 201, "hi", http.Header{"X-A": {"1"}}},
		{"cookies become Set-Cookie", `{"statusCode":200,"cookies":["a=1","b=2; Path=/"],"body":""}`, 200, "", http.Header{"Set-Cookie": {"a=1", "b=2; Path=/"}}},
		{"base64 body is decoded", `{"statusCode":200,"isBase64Encoded":true,"body":"aGk="}`, 200, "hi", nil},
		{"no statusCode: the JSON is the body", `{"hello":"world"}`, 200, `{"hello":"world"}`, http.Header{"Content-Type": {"application/json"}}},
		{"a JSON string is the body", `"text"`, 200, `"text"`, nil},
		{"multiValueHeaders are ignored", `{"statusCode":200,"multiValueHeaders":{"x-m":["1"]}}`, 200, "", http.Header{"X-M": nil}},
		{"not JSON", `nope`, 500, `{"message":"Internal Server Error"}`, nil},
		{"bad status", `{"statusCode":1000}`, 500, `{"message":"Internal Server Error"}`, nil},
		{"bad base64", `{"statusCode":200,"isBase64Encoded":true,"body":"%%%"}`, 500, `{"message":"Internal Server Error"}`, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, _ := fakeGateway(t, Config{Routes: []Route{{Method: "GET", Path: "/r", API: template.KindHTTPAPI}}}, tc.answer)
			resp, body := send(t, "GET", srv.URL+"/r", "", "", nil)
			if resp.StatusCode != tc.status || body != tc.body {
				t.Errorf("got %d %q, want %d %q", resp.StatusCode, body, tc.status, tc.body)
			}
			for k, v := range tc.header {
				if got := resp.Header.Values(k); !reflect.DeepEqual(got, v) && !(len(v) == 0 && len(got) == 0) {
					t.Errorf("header %s = %q, want %q", k, got, v)
				}
			}
		})
	}
}

// An HTTP API answers its own errors: 404 for no route, 500 for a failed
// function, and a route with PayloadFormatVersion 1.0 gets a 1.0 event.
func TestHTTPAPIErrorsAndPayload1(t *testing.T) {
	srv, rec := fakeGateway(t, Config{Routes: []Route{
		{Method: "GET", Path: "/v1", API: template.KindHTTPAPI, PayloadVersion: "1.0"},
	}}, `{"statusCode":200,"isBase64Encoded":true,"body":"aGk="}`)
	if resp, body := send(t, "GET", srv.URL+"/nope", "", "", nil); resp.StatusCode != 404 || body != `{"message":"Not Found"}` {
		t.Errorf("unknown route: %d %s", resp.StatusCode, body)
	}
	resp, body := send(t, "GET", srv.URL+"/v1", "", "", nil)
	if resp.StatusCode != 200 || body != "hi" {
		t.Errorf("payload 1.0 on an HTTP API: %d %q (an HTTP API decodes base64 whatever Accept says)", resp.StatusCode, body)
	}
	var ev events.APIGatewayProxyRequest
	if err := json.Unmarshal(rec.last(), &ev); err != nil || ev.HTTPMethod != "GET" || ev.RequestContext.Stage != "$default" {
		t.Errorf("event: %v %+v", err, ev)
	}
	rec.err = errTest
	if resp, body := send(t, "GET", srv.URL+"/v1", "", "", nil); resp.StatusCode != 500 || body != `{"message":"Internal Server Error"}` {
		t.Errorf("failed function: %d %s", resp.StatusCode, body)
	}
}

var errTest = &testError{}

type testError struct{}

func (*testError) Error() string { return "function failed" }
