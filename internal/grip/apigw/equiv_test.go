package apigw

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

// mirror answers with the request it saw, as JSON, and its headers: the
// response shows every detail of the decoded request.
func mirror(_ context.Context, r *Request) (*Response, error) {
	body, err := json.Marshal(r)
	if err != nil {
		return nil, err
	}
	header := r.Header.Clone()
	if header == nil {
		header = http.Header{}
	}
	if r.Method != http.MethodPost {
		header["Content-Type"] = []string{"application/json"} // GET: text body; POST: as the request says
	}
	return &Response{Status: 200, Header: header, Body: body}, nil
}

// equivEvents are the package's test events, the project's sample events,
// and hand-made ones for the corners of encoding/json's decoding.
func equivEvents(t testing.TB) []string {
	evs := []string{restChatEvent, httpAPIChatEvent, functionURLChatEvent,
		// member names in any case; the last of repeated members wins, maps merge
		`{"httpMethod":"GET","HTTPMETHOD":"POST","Path":"/a","PATH":"/b"}`,
		`{"httpMethod":"GET","headers":{"a":"1"},"headers":{"b":"2","a":"3"}}`,
		`{"httpMethod":"GET","headers":{"a":"1"},"headers":null,"path":"/x","path":null}`,
		`{"httpMethod":"GET","headers":{"a":null},"multiValueHeaders":{"b":null,"c":[null,"x"],"d":[]}}`,
		`{"httpMethod":"GET","multiValueHeaders":{"c":["1"]},"multiValueHeaders":{"c":["2","3"],"e":["4"]}}`,
		// one header in several spellings
		`{"httpMethod":"GET","headers":{"x-a":"1","X-A":"2","x-b":"0"},"multiValueHeaders":{"x-b":["1"],"X-B":["2","3"]}}`,
		`{"httpMethod":"GET","headers":{"x-a":"1","x-a":"2"},"multiValueHeaders":{"y":["1"],"y":["2"]}}`,
		// escapes, surrogates, invalid UTF-8, separators
		`{"httpMethod":"GET","path":"/a\u00e9\ud83d\ude00\ud800x\udc00\"\\\/\b\f\n\r\t\u0001","headers":{"k\u0041":"v\u2028\u2029"}}`,
		"{\"httpMethod\":\"GET\",\"path\":\"/\xff\xfe\xed\xa0\x80é\",\"headers\":{\"\xc3\":\"\xe2\x82\"}}",
		`{"httpMethod":"GET","path":"\ud800\ud800\udbff\udfff\u12","x":1}`,
		// values Adapt skips, of every kind
		`{"httpMethod":"GET","x":[1,-0.5e+10,0,1E3,true,false,null,{"a":[[]]},"s"],"y":{}}`,
		// wrong types: of members every shape reads, and of members only one shape reads
		`{"httpMethod":5}`, `{"httpMethod":"GET","requestContext":5}`, `{"httpMethod":"GET","isBase64Encoded":"true"}`,
		`{"httpMethod":"GET","multiValueHeaders":{"a":"x"}}`, `{"httpMethod":"GET","headers":[]}`,
		`{"httpMethod":"GET","cookies":5,"rawPath":1,"requestContext":{"http":{"path":2}}}`,
		`{"httpMethod":"GET","requestContext":{"identity":5}}`,
		`{"httpMethod":"GET","requestContext":{"identity":{"sourceIp":5}}}`,
		`{"httpMethod":"GET","requestContext":{"httpMethod":5}}`,
		`{"version":"2.0","routeKey":"$default","multiValueHeaders":5,"requestContext":{"http":{"method":"GET"},"identity":1}}`,
		`{"version":"2.0","routeKey":"$default","requestContext":{"http":{"method":"GET","path":5}}}`,
		`{"version":"2.0","requestContext":{"http":{"method":"GET","sourceIp":5}}}`,
		`{"version":"2.0","requestContext":{"http":{"method":5}}}`,
		`{"version":"2.0","requestContext":{"http":5}}`,
		`{"version":"2.0","cookies":["a=1",null],"rawQueryString":"a=1&b","requestContext":{"http":{"method":"GET","path":"/p"}}}`,
		`{"version":"2.0","queryStringParameters":{"q":"1"},"headers":{"A":"1","a":"2"},"requestContext":{"http":{"method":"GET"},"domainName":"x.lambda-url.y","routeKey":"r"}}`,
		`{"version":"2.0","requestContext":null,"httpMethod":null}`,
		`{"httpMethod":"GET","requestContext":{"requestId":"r","identity":null,"http":null}}`,
		// not events, not objects, not JSON
		`{}`, `null`, `[1,2]`, `"s"`, ``, ` `, `{"httpMethod":"GET"} x`, `{"httpMethod":"GET",}`, `{"a":01}`,
		`{"a":1.}`, `{"a":-}`, `{"a":1e}`, `{"a":tru}`, `{"a" 1}`, `{"a":1 "b":2}`, `{"a":"\x"}`, "{\"a\":\"\x01\"}",
		`{"a":"\u00"}`, `{"a":"`, `{"a":[1,]}`, `{"a":[1 2]}`, `{1:2}`, `{"httpMethod":"GET","body":"%%%","isBase64Encoded":true}`,
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

// checkEquivalent holds Adapt's Invoke to the old encoding/json path: same
// bytes out whenever the old path succeeded, and never success on input
// that is not JSON.
func checkEquivalent(t *testing.T, event []byte) {
	t.Helper()
	got, err := Adapt(mirror).Invoke(context.Background(), event)
	if err != nil && !errors.Is(err, ErrUnknownEvent) {
		t.Fatalf("Invoke(%q): error %v does not wrap ErrUnknownEvent", event, err)
	}
	if !json.Valid(event) {
		if err == nil {
			t.Fatalf("Invoke(%q) accepted invalid JSON: %s", event, got)
		}
		return
	}
	want, wantErr := lambda.NewHandler(legacyAdapt(mirror)).Invoke(context.Background(), event)
	switch {
	case wantErr == nil && err != nil:
		t.Fatalf("Invoke(%q) = %v; encoding/json decoded it: %s", event, err, want)
	case wantErr == nil && !bytes.Equal(got, want):
		t.Fatalf("Invoke(%q):\n got %s\nwant %s", event, got, want)
	}
}

func TestAdaptMatchesEncodingJSON(t *testing.T) {
	for _, ev := range equivEvents(t) {
		checkEquivalent(t, []byte(ev))
	}
}

func FuzzAdaptMatchesEncodingJSON(f *testing.F) {
	for _, ev := range equivEvents(f) {
		f.Add([]byte(ev))
	}
	f.Fuzz(func(t *testing.T, event []byte) {
		checkEquivalent(t, event)
	})
}

// encodingJSON is how the runtime encodes a response.
func encodingJSON(t testing.TB, v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

func TestAppendResponseMatchesEncodingJSON(t *testing.T) {
	odd := "a\"b\\c\b\f\n\r\t\x01\x1f<>&\u2028\u2029\xff\xc3é😀"
	responses := []any{
		events.APIGatewayProxyResponse{},
		events.APIGatewayProxyResponse{StatusCode: 404, Headers: map[string]string{}, MultiValueHeaders: map[string][]string{}},
		events.APIGatewayProxyResponse{StatusCode: -1, Headers: map[string]string{"b": odd, "a": ""},
			MultiValueHeaders: map[string][]string{odd: {"1", odd}, "e": {}, "n": nil}, Body: odd, IsBase64Encoded: true},
		events.APIGatewayV2HTTPResponse{},
		events.APIGatewayV2HTTPResponse{StatusCode: 200, Headers: map[string]string{"z": "1", "y": odd}, Body: odd,
			MultiValueHeaders: map[string][]string{"m": {"1"}}, IsBase64Encoded: true, Cookies: []string{odd, ""}},
		events.APIGatewayV2HTTPResponse{Cookies: []string{}},
		events.LambdaFunctionURLResponse{},
		events.LambdaFunctionURLResponse{StatusCode: 500, Headers: map[string]string{odd: odd}, Body: "x", IsBase64Encoded: true, Cookies: []string{"a=1"}},
	}
	for _, r := range responses {
		got, ok := appendResponse(nil, r)
		if want := encodingJSON(t, r); !ok || !bytes.Equal(got, want) {
			t.Errorf("appendResponse(%#v):\n got %s\nwant %s", r, got, want)
		}
	}
	if _, ok := appendResponse(nil, struct{}{}); ok {
		t.Error("appendResponse took a type it does not know")
	}
}

// A LambdaHandler made by hand may answer any type: Invoke encodes it as
// the runtime would, or fails as the runtime would.
func TestInvokeOtherResponseTypes(t *testing.T) {
	answer := func(v any) LambdaHandler {
		return func(context.Context, json.RawMessage) (any, error) { return v, nil }
	}
	out, err := answer(map[string]string{"b": "<&>", "a": "1"}).Invoke(context.Background(), []byte(`{}`))
	if err != nil || string(out) != `{"a":"1","b":"<&>"}` {
		t.Errorf("Invoke = %s, %v", out, err)
	}
	if _, err := answer(make(chan int)).Invoke(context.Background(), []byte(`{}`)); err == nil {
		t.Error("a channel encoded without error")
	}
}
