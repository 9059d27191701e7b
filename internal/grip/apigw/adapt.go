package apigw

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/aws/aws-lambda-go/lambda"
)

// Handler serves one HTTP request, whichever front door it came through.
//
// Return a Response for every answer the client should see, errors included
// (see Error). Return an error only for failures the function cannot answer
// (a bug, an outage): Lambda logs it and the front door answers 502.
type Handler func(ctx context.Context, r *Request) (*Response, error)

// ErrNilResponse: a Handler returned neither a response nor an error.
var ErrNilResponse = errors.New("apigw: handler returned a nil response and a nil error")

// Adapt turns a Handler into a Lambda handler for lambda.Start that accepts
// all three HTTP front doors and answers each in its own response type:
//
//	REST API (payload 1.0)  events.APIGatewayProxyRequest   -> events.APIGatewayProxyResponse
//	HTTP API (payload 2.0)  events.APIGatewayV2HTTPRequest  -> events.APIGatewayV2HTTPResponse
//	function URL            events.LambdaFunctionURLRequest -> events.LambdaFunctionURLResponse
//
// The event is decoded with encoding/json into the front door's type (see
// frontDoorOf for how they are told apart), and the response encoded as the
// runtime would. An event that is not JSON, not one of these, or has a
// member of the wrong JSON type is an error wrapping ErrUnknownEvent. A
// body that is not valid base64 is answered 400 without calling h.
//
// The result is a lambda.Handler, event JSON in and response JSON out: the
// runtime then skips its own reflective decoding into a json.RawMessage,
// a third pass over the event.
func Adapt(h Handler) lambda.Handler { return adapter{h} }

type adapter struct{ h Handler }

func (a adapter) Invoke(ctx context.Context, event []byte) ([]byte, error) {
	resp, err := a.respond(ctx, event)
	if err != nil {
		return nil, err
	}
	// As the runtime encodes a response: no HTML escaping, no newline.
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(resp); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// respond returns the response in the front door's events type.
func (a adapter) respond(ctx context.Context, event []byte) (any, error) {
	door, err := frontDoorOf(event)
	if err != nil {
		return nil, err
	}
	switch door {
	case restAPI:
		return serve(ctx, a.h, event, FromV1, (*Response).restAPIResponse)
	case httpAPI:
		return serve(ctx, a.h, event, FromV2, (*Response).httpAPIResponse)
	}
	return serve(ctx, a.h, event, FromFunctionURL, (*Response).functionURLResponse)
}

// serve decodes the event into its events type E, runs h, and converts the
// response into the front door's type R.
func serve[E, R any](ctx context.Context, h Handler, event []byte,
	convert func(*E) (*Request, error), respond func(*Response) R) (any, error) {
	var e E
	if err := json.Unmarshal(event, &e); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUnknownEvent, err)
	}
	req, err := convert(&e)
	if err != nil {
		// Only a bad body gets here: the client's fault, so a 400.
		return respond(Error(http.StatusBadRequest, err.Error())), nil
	}
	resp, err := h(ctx, req)
	if err != nil {
		return nil, err
	}
	if resp == nil {
		return nil, ErrNilResponse
	}
	return respond(resp), nil
}
