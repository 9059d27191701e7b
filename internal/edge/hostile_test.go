package edge

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/faas-grip/faas-grip-go/internal/grip/apigw"

	"github.com/aws/aws-lambda-go/events"
)

// mirror answers with the request it saw, as JSON: the response shows
// every detail of the decoded request.
func mirror(_ context.Context, r *apigw.Request) (*apigw.Response, error) {
	body, err := json.Marshal(r)
	if err != nil {
		return nil, err
	}
	return &apigw.Response{Status: 200, Header: r.Header.Clone(), Body: body}, nil
}

// hostileEvents are the package's test events, the project's sample events,
// and hand-made ones for the corners of JSON and of the event shapes.
func hostileEvents(t testing.TB) []string {
	evs := []string{restChatEvent, httpAPIChatEvent, functionURLChatEvent,
		// member names in any case; the last of repeated members wins, maps merge
		`{"httpMethod":"GET","HTTPMETHOD":"POST","Path":"/a","PATH":"/b"}`,
		`{"httpMethod":"GET","headers":{"a":"1"},"headers":{"b":"2","a":"3"}}`,
		`{"httpMethod":"GET","headers":{"a":null},"multiValueHeaders":{"b":null,"c":[null,"x"],"d":[]}}`,
		// one header in several spellings
		`{"httpMethod":"GET","headers":{"x-a":"1","X-A":"2","x-b":"0"},"multiValueHeaders":{"x-b":["1"],"X-B":["2","3"]}}`,
		// escapes, surrogates, invalid UTF-8
		`{"httpMethod":"GET","path":"/a\u00e9\ud83d\ude00\ud800x\udc00\"\\\/\b\f\n\r\t\u0001","headers":{"k\u0041":"v\u2028\u2029"}}`,
		"{\"httpMethod\":\"GET\",\"path\":\"/\xff\xfe\xed\xa0\x80é\",\"headers\":{\"\xc3\":\"\xe2\x82\"}}",
		// wrong types
		`{"httpMethod":5}`, `{"httpMethod":"GET","requestContext":5}`, `{"httpMethod":"GET","isBase64Encoded":"true"}`,
		`{"httpMethod":"GET","multiValueHeaders":{"a":"x"}}`, `{"httpMethod":"GET","headers":[]}`,
		`{"version":"2.0","requestContext":{"http":{"method":"GET","sourceIp":5}}}`,
		`{"version":"2.0","requestContext":{"http":5}}`,
		`{"version":"2.0","cookies":["a=1",null],"rawQueryString":"a=1&b","requestContext":{"http":{"method":"GET","path":"/p"}}}`,
		`{"version":"2.0","requestContext":null,"httpMethod":null}`,
		// not events, not objects, not JSON
		`{}`, `null`, `[1,2]`, `"s"`, ``, ` `, `{"httpMethod":"GET",}`, `{"a":01}`, `{"a":"`, `{1:2}`,
		`{"httpMethod":"GET","body":"%%%","isBase64Encoded":true}`,
	}
	files, _ := filepath.Glob(filepath.Join("..", "..", "..", "events", "*.json"))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		evs = append(evs, string(b))
	}
	return evs
}

// checkHostile holds Adapt to its contract on any input: no panic, an error
// only wrapping errUnknownEvent, else one of the three response types.
func checkHostile(t *testing.T, event []byte) {
	t.Helper()
	resp, err := adapter{mirror}.respond(context.Background(), event)
	out, invokeErr := adapt(mirror).Invoke(context.Background(), event)
	if (err == nil) != (invokeErr == nil) || (err == nil && !json.Valid(out)) {
		t.Fatalf("adapt(%q): Invoke = %s, %v; respond gave error %v", event, out, invokeErr, err)
	}
	if err != nil {
		if !errors.Is(err, errUnknownEvent) {
			t.Fatalf("adapt(%q): error %v does not wrap errUnknownEvent", event, err)
		}
		return
	}
	if !json.Valid(event) {
		t.Fatalf("adapt(%q) accepted invalid JSON", event)
	}
	switch resp.(type) {
	case events.APIGatewayProxyResponse, events.APIGatewayV2HTTPResponse, events.LambdaFunctionURLResponse:
	default:
		t.Fatalf("adapt(%q) answered a %T", event, resp)
	}
}

func TestAdaptHostileEvents(t *testing.T) {
	for _, ev := range hostileEvents(t) {
		checkHostile(t, []byte(ev))
	}
}

func FuzzAdapt(f *testing.F) {
	for _, ev := range hostileEvents(f) {
		f.Add([]byte(ev))
	}
	f.Fuzz(checkHostile)
}

// An error names what is wrong with the event.
func TestAdaptErrorsSayWhy(t *testing.T) {
	tests := []struct{ event, want string }{
		{`not json`, "invalid character"},
		{`{"httpMethod":5}`, "httpMethod"},
		{`{"httpMethod":"GET","headers":[]}`, "headers"},
		{`{"version":"2.0","routeKey":"$default","requestContext":{"http":{"method":"GET","path":5}}}`, "requestContext.http.path"},
		{`{"Records":[]}`, "no httpMethod, and no version 2.0 with requestContext.http.method"},
	}
	for _, tt := range tests {
		_, err := adapt(mirror).Invoke(context.Background(), []byte(tt.event))
		if !errors.Is(err, errUnknownEvent) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("adapt(%s): err = %v, want errUnknownEvent naming %q", tt.event, err, tt.want)
		}
	}
}

// A handler's response with no header map is still a valid answer.
func TestAdaptNilHeader(t *testing.T) {
	h := func(context.Context, *apigw.Request) (*apigw.Response, error) {
		return &apigw.Response{Status: http.StatusNoContent}, nil
	}
	resp, err := adapter{h}.respond(context.Background(), []byte(httpAPIChatEvent))
	if v2, ok := resp.(events.APIGatewayV2HTTPResponse); err != nil || !ok || v2.StatusCode != 204 {
		t.Fatalf("Adapt = %#v, %v", resp, err)
	}
}
