// Command floor is the empty aws-lambda-go function that make bench measures
// the functions against: lambda.Start of a handler that returns its input.
// It is built with the Makefile's flags and run under the same local Runtime
// API as the functions, so whatever the machine does to a Go process start
// or a Runtime API round trip, it does to both.
package main

import (
	"context"
	"encoding/json"

	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	lambda.Start(func(_ context.Context, event json.RawMessage) (json.RawMessage, error) {
		return event, nil
	})
}
