// Command testfn is a Lambda function for the devstack tests. It does what
// its event asks: {"action": "echo" | "error" | "panic" | "exit" | "sleep" |
// "env" | "big" | "context"}, or, given an API Gateway proxy event, answers
// by path (/echo, /binary, /error, /crash, /slow, /malformed, /multi).
package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

type command struct {
	Action  string `json:"action"`
	Message string `json:"message"`
	Code    int    `json:"code"`
	Ms      int    `json:"ms"`
	Name    string `json:"name"`
	Size    int    `json:"size"`

	HTTPMethod string `json:"httpMethod"`
}

func main() {
	if os.Getenv("TESTFN_EXIT_AT_INIT") != "" {
		fmt.Fprintln(os.Stderr, "testfn: exiting during init as asked")
		os.Exit(4)
	}
	fmt.Fprintln(os.Stderr, "testfn: init")
	lambda.Start(handle)
}

func handle(ctx context.Context, raw json.RawMessage) (any, error) {
	var c command
	if err := json.Unmarshal(raw, &c); err != nil {
		return nil, err
	}
	if c.HTTPMethod != "" {
		var req events.APIGatewayProxyRequest
		if err := json.Unmarshal(raw, &req); err != nil {
			return nil, err
		}
		return handleHTTP(ctx, req)
	}
	switch c.Action {
	case "echo", "":
		return raw, nil
	case "error":
		return nil, errors.New(c.Message)
	case "panic":
		panic(c.Message)
	case "exit":
		os.Exit(c.Code)
	case "sleep":
		time.Sleep(time.Duration(c.Ms) * time.Millisecond)
		return "slept", nil
	case "env":
		return os.Getenv(c.Name), nil
	case "big":
		return strings.Repeat("x", c.Size), nil
	case "context":
		lc, _ := lambdacontext.FromContext(ctx)
		deadline, _ := ctx.Deadline()
		return map[string]any{
			"requestId":   lc.AwsRequestID,
			"functionArn": lc.InvokedFunctionArn,
			"remainingMs": time.Until(deadline).Milliseconds(),
			"pid":         os.Getpid(),
		}, nil
	}
	return nil, fmt.Errorf("unknown action %q", c.Action)
}

func handleHTTP(ctx context.Context, req events.APIGatewayProxyRequest) (any, error) {
	switch {
	case strings.HasSuffix(req.Path, "/error"):
		return nil, errors.New("handler failed")
	case strings.HasSuffix(req.Path, "/crash"):
		os.Exit(2)
	case strings.HasSuffix(req.Path, "/slow"):
		time.Sleep(10 * time.Second)
	case strings.HasSuffix(req.Path, "/malformed"):
		return "not a proxy response", nil
	case strings.HasSuffix(req.Path, "/binary"):
		return events.APIGatewayProxyResponse{
			StatusCode:      200,
			Headers:         map[string]string{"Content-Type": "application/octet-stream"},
			Body:            base64.StdEncoding.EncodeToString([]byte{0, 1, 2, 0xff}),
			IsBase64Encoded: true,
		}, nil
	case strings.HasSuffix(req.Path, "/multi"):
		return events.APIGatewayProxyResponse{
			StatusCode:        201,
			Headers:           map[string]string{"X-Single": "one", "X-Both": "from-headers"},
			MultiValueHeaders: map[string][]string{"Set-Cookie": {"a=1", "b=2"}, "X-Both": {"from-multi"}},
			Body:              "created",
		}, nil
	}
	// Echo the event back, so tests can check what the gateway sent.
	body, err := json.Marshal(req)
	if err != nil {
		return nil, err
	}
	return events.APIGatewayProxyResponse{
		StatusCode: 200,
		Headers:    map[string]string{"Content-Type": "application/json"},
		Body:       string(body),
	}, nil
}
