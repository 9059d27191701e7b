package apigw_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/faas-grip/faas-grip-go/internal/grip/apigw"
)

// One handler serves every front door; Adapt picks the event and response
// types. In main you would call lambda.Start(apigw.Adapt(hello)); here the
// runtime's own JSON path runs it on a REST API event.
func Example() {
	hello := func(ctx context.Context, r *apigw.Request) (*apigw.Response, error) {
		if r.Method != http.MethodGet {
			return apigw.Error(http.StatusMethodNotAllowed, "use GET"), nil
		}
		return apigw.Text(http.StatusOK, "", "hello "+r.Query.Get("name")), nil
	}
	event := `{"httpMethod": "GET", "path": "/hello",
		"multiValueQueryStringParameters": {"name": ["gopher"]},
		"requestContext": {"requestId": "r-1", "identity": {"sourceIp": "192.0.2.1"}}}`

	out, err := lambda.NewHandler(apigw.Adapt(hello)).Invoke(context.Background(), []byte(event))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(string(out))
	// Output:
	// {"statusCode":200,"headers":{"Content-Type":"text/plain; charset=utf-8"},"multiValueHeaders":null,"body":"hello gopher"}
}

// An HTTP API (payload 2.0) event gets an HTTP API response: repeated
// headers joined with commas, and Set-Cookie moved to its own list.
func Example_httpAPI() {
	h := func(ctx context.Context, r *apigw.Request) (*apigw.Response, error) {
		resp := apigw.Text(http.StatusOK, "", "hi "+r.Header.Get("Cookie"))
		resp.Header["Vary"] = []string{"Accept", "Cookie"}
		resp.Header["Set-Cookie"] = []string{"a=1", "b=2"}
		return resp, nil
	}
	event := `{"version": "2.0", "routeKey": "GET /hi", "rawPath": "/hi", "cookies": ["s=1", "t=2"],
		"requestContext": {"http": {"method": "GET", "path": "/hi"}}}`

	out, err := lambda.NewHandler(apigw.Adapt(h)).Invoke(context.Background(), []byte(event))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(string(out))
	// Output:
	// {"statusCode":200,"headers":{"Content-Type":"text/plain; charset=utf-8","Vary":"Accept, Cookie"},"multiValueHeaders":null,"body":"hi s=1; t=2","cookies":["a=1","b=2"]}
}

// An event that is not from an HTTP front door is an error that says so;
// Lambda logs it and the invocation fails.
func Example_unknownEvent() {
	ok := func(context.Context, *apigw.Request) (*apigw.Response, error) { return apigw.Text(200, "", "ok"), nil }
	sqs := `{"Records": [{"messageId": "1", "body": "x", "eventSource": "aws:sqs"}]}`

	_, err := apigw.Adapt(ok).Invoke(context.Background(), []byte(sqs))
	fmt.Println(errors.Is(err, apigw.ErrUnknownEvent))
	fmt.Println(err)
	// Output:
	// true
	// apigw: not an API Gateway or function URL HTTP event: no httpMethod, and no version 2.0 with requestContext.http.method
}

// FromV2 converts an events type decoded elsewhere: a test, or a function
// that reads the event itself. Header names become canonical.
func ExampleFromV2() {
	var e events.APIGatewayV2HTTPRequest
	event := `{"version": "2.0", "routeKey": "$default", "rawPath": "/chat", "rawQueryString": "room=a",
		"headers": {"grip-sig": "token", "content-type": "application/websocket-events"},
		"body": "VEVYVCA1DQpoZWxsbw0K", "isBase64Encoded": true,
		"requestContext": {"http": {"method": "POST", "path": "/chat"}}}`
	if err := json.Unmarshal([]byte(event), &e); err != nil {
		fmt.Println(err)
		return
	}
	r, err := apigw.FromV2(&e)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s %s room=%s Grip-Sig=%s body=%q\n", r.Method, r.Path, r.Query.Get("room"), r.Header.Get("Grip-Sig"), r.Body)
	// Output:
	// POST /chat room=a Grip-Sig=token body="TEXT 5\r\nhello\r\n"
}

// A WebSocket-over-HTTP response goes as base64 with its Content-Type
// untouched, so the proxy gets the exact bytes.
func Example_webSocketOverHTTP() {
	open := func(ctx context.Context, r *apigw.Request) (*apigw.Response, error) {
		return apigw.Text(http.StatusOK, "application/websocket-events", "OPEN\r\n"), nil
	}
	event := `{"httpMethod": "POST", "path": "/chat", "body": "T1BFTg0K", "isBase64Encoded": true,
		"headers": {"content-type": "application/websocket-events"}}`

	out, err := lambda.NewHandler(apigw.Adapt(open)).Invoke(context.Background(), []byte(event))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(string(out))
	// Output:
	// {"statusCode":200,"headers":{"Content-Type":"application/websocket-events"},"multiValueHeaders":null,"body":"T1BFTg0K","isBase64Encoded":true}
}
