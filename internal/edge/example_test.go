package edge_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/faas-grip/faas-grip-go/internal/edge"
	"github.com/faas-grip/faas-grip-go/internal/grip/apigw"
)

// hello is a function's setup: it gets what the cold start loaded and
// returns the handler.
func hello(_ context.Context, cold edge.ColdStart) (apigw.Handler, error) {
	return func(ctx context.Context, r *apigw.Request) (*apigw.Response, error) {
		if r.Method != http.MethodGet {
			return apigw.Error(http.StatusMethodNotAllowed, "use GET"), nil
		}
		return apigw.Text(http.StatusOK, "", "hello "+r.Query.Get("name")), nil
	}, nil
}

// A function's main.go: everything else is the edge's.
func ExampleServeHTTP() {
	edge.ServeHTTP(hello)
}

// The function as deployed, without the Lambda runtime: event JSON in,
// response JSON out, and only requests that carry a valid Grip-Sig reach
// the handler.
func ExampleNewHTTPHandler() {
	env := map[string]string{"GRIP_URL": "http://localhost:5561?verify-iss=pushpin&verify-key=changeme"}
	logger := slog.New(slog.NewJSONHandler(io.Discard, nil))
	h, err := edge.NewHTTPHandler(context.Background(), func(k string) string { return env[k] }, logger, hello)
	if err != nil {
		fmt.Println(err)
		return
	}

	// What Pushpin with its stock sig_key sends.
	token, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
		"iss": "pushpin", "exp": time.Now().Add(time.Hour).Unix(),
	}).SignedString([]byte("changeme"))
	for _, sig := range []string{"", token + "forged", token} {
		// An HTTP API (payload 2.0) event, as API Gateway sends it.
		event := fmt.Sprintf(`{"version": "2.0", "routeKey": "GET /hello", "rawPath": "/hello",
			"rawQueryString": "name=gopher", "headers": {"grip-sig": %q},
			"requestContext": {"http": {"method": "GET", "path": "/hello"}}}`, sig)
		out, err := h.Invoke(context.Background(), []byte(event))
		if err != nil {
			fmt.Println(err)
			return
		}
		var resp struct {
			StatusCode int
			Body       string
		}
		_ = json.Unmarshal(out, &resp)
		fmt.Println(resp.StatusCode, strings.TrimSpace(resp.Body))
	}
	// Output:
	// 401 this endpoint must be reached through a GRIP proxy (Pushpin or Fastly Fanout)
	// 403 invalid Grip-Sig
	// 200 hello gopher
}

// One handler serves every front door: the edge picks the event and the
// response types. A REST API (payload 1.0) event gets a REST API response;
// a WebSocket-over-HTTP body goes as base64 with its Content-Type
// untouched, so the proxy gets the exact bytes.
func ExampleNewHTTPHandler_frontDoors() {
	open := func(context.Context, edge.ColdStart) (apigw.Handler, error) {
		return func(ctx context.Context, r *apigw.Request) (*apigw.Response, error) {
			return apigw.Text(http.StatusOK, "application/websocket-events", "OPEN\r\n"), nil
		}, nil
	}
	logger := slog.New(slog.NewJSONHandler(io.Discard, nil))
	// No verify key and GRIP_SIG_REQUIRED=false: a Grip-Sig must be present,
	// but is not checked. Only for trying things out behind a trusted proxy.
	env := map[string]string{"GRIP_SIG_REQUIRED": "false"}
	h, err := edge.NewHTTPHandler(context.Background(), func(k string) string { return env[k] }, logger, open)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, event := range []string{
		`{"httpMethod": "POST", "path": "/chat", "body": "T1BFTg0K", "isBase64Encoded": true,
			"headers": {"content-type": "application/websocket-events", "grip-sig": "unchecked"}}`,
		`{"version": "2.0", "routeKey": "POST /chat", "rawPath": "/chat", "body": "T1BFTg0K", "isBase64Encoded": true,
			"headers": {"content-type": "application/websocket-events", "grip-sig": "unchecked"},
			"requestContext": {"http": {"method": "POST", "path": "/chat"}}}`,
	} {
		out, err := h.Invoke(context.Background(), []byte(event))
		fmt.Println(string(out), err)
	}
	// Output:
	// {"statusCode":200,"headers":{"Content-Type":"application/websocket-events"},"multiValueHeaders":null,"body":"T1BFTg0K","isBase64Encoded":true} <nil>
	// {"statusCode":200,"headers":{"Content-Type":"application/websocket-events"},"multiValueHeaders":null,"body":"T1BFTg0K","isBase64Encoded":true,"cookies":null} <nil>
}
