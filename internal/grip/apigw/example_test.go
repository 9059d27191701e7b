package apigw_test

import (
	"context"
	"fmt"
	"net/http"

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

// A WebSocket-over-HTTP response goes as base64 with its Content-Type
// untouched, so the proxy gets the exact bytes.
func ExampleResponse_V1() {
	resp := apigw.Text(http.StatusOK, "application/websocket-events", "OPEN\r\n")
	v1 := resp.V1()
	fmt.Println(v1.Headers["Content-Type"], v1.IsBase64Encoded, v1.Body)
	// Output:
	// application/websocket-events true T1BFTg0K
}
