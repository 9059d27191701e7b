package eventtest

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/faas-grip/faas-grip-go/internal/grip/apigw"
)

// Serve sends r to a function as deployed (event JSON in, response JSON
// out: what edge.NewHTTPHandler returns) as an HTTP API event, and reads the
// answer back as a Response. Tests write requests as apigw.Request values
// and still go through the edge's Grip-Sig check.
func Serve(t testing.TB, h lambda.Handler, r *apigw.Request) (*apigw.Response, error) {
	t.Helper()
	path := r.Path
	if path == "" {
		path = "/"
	}
	e := events.APIGatewayV2HTTPRequest{
		Version:        "2.0",
		RouteKey:       r.Method + " " + path,
		RawPath:        path,
		RawQueryString: r.Query.Encode(),
		Headers:        map[string]string{},
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			RequestID: r.RequestID,
			HTTP:      events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: r.Method, Path: path, SourceIP: r.SourceIP},
		},
	}
	for name, values := range r.Header {
		e.Headers[strings.ToLower(name)] = strings.Join(values, ",")
	}
	if len(r.Body) > 0 {
		e.Body, e.IsBase64Encoded = base64.StdEncoding.EncodeToString(r.Body), true
	}
	event, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	out, err := h.Invoke(t.Context(), event)
	if err != nil {
		return nil, err
	}
	var resp events.APIGatewayV2HTTPResponse
	if err := json.Unmarshal(out, &resp); err != nil {
		t.Fatalf("response %s: %v", out, err)
	}
	answer := &apigw.Response{Status: resp.StatusCode, Header: http.Header{}, Body: []byte(resp.Body)}
	for name, value := range resp.Headers {
		answer.Header.Set(name, value)
	}
	for _, c := range resp.Cookies {
		answer.Header.Add("Set-Cookie", c)
	}
	if resp.IsBase64Encoded {
		if answer.Body, err = base64.StdEncoding.DecodeString(resp.Body); err != nil {
			t.Fatalf("response body: %v", err)
		}
	}
	return answer, nil
}
