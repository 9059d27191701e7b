package apigw

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
)

// Handler serves one HTTP request, whichever front door it came through.
//
// Return a Response for every answer the client should see, errors included
// (see Error). Return an error only for failures the function cannot answer
// (a bug, an outage): Lambda logs it and the front door answers 502.
type Handler func(ctx context.Context, r *Request) (*Response, error)

// ErrNilResponse: a Handler returned neither a response nor an error.
var ErrNilResponse = errors.New("apigw: handler returned a nil response and a nil error")

// LambdaHandler is what Adapt returns, for lambda.Start. Called as a func,
// it takes the event and returns the front door's response type. The
// runtime calls its Invoke method instead (event JSON in, response JSON
// out), which skips the runtime's own decoding into a json.RawMessage and
// its reflective encoding of the response: most of an invocation's cost.
type LambdaHandler func(ctx context.Context, event json.RawMessage) (any, error)

// Adapt turns a Handler into a Lambda handler for lambda.Start that accepts
// all three HTTP front doors and answers each in its own response type.
//
// How the event kind is told apart:
//   - a top-level "httpMethod" means REST API (payload 1.0, also what an HTTP
//     API sends with payload format 1.0): events.APIGatewayProxyResponse;
//   - otherwise "version": "2.0" with requestContext.http.method is payload
//     2.0: a requestContext.domainName containing ".lambda-url." means a
//     function URL, else a routeKey (top level or in requestContext) means an
//     HTTP API, and no routeKey means a function URL (behind a custom domain);
//   - anything else is an error wrapping ErrUnknownEvent.
//
// The event is decoded as encoding/json would decode it into the events
// types, in one pass; members Adapt does not read are only checked for
// syntax. A body that is not valid base64 is answered 400 without calling h.
func Adapt(h Handler) LambdaHandler {
	return func(ctx context.Context, event json.RawMessage) (any, error) {
		e, err := readEvent(string(event))
		if err != nil {
			return nil, err
		}
		kind, err := e.kind()
		if err != nil {
			return nil, err
		}
		req, err := e.request(kind)
		var resp *Response
		if err != nil {
			// Only a bad body gets here: the client's fault, so a 400.
			resp = Error(http.StatusBadRequest, err.Error())
		} else if resp, err = h(ctx, req); err != nil {
			return nil, err
		} else if resp == nil {
			return nil, ErrNilResponse
		}
		switch kind {
		case kindV1:
			return resp.V1(), nil
		case kindV2:
			return resp.V2(), nil
		}
		return resp.FunctionURL(), nil
	}
}

// Invoke runs the handler on an event's JSON and returns the response's
// JSON, byte for byte what the runtime's encoding/json would write.
func (f LambdaHandler) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	resp, err := f(ctx, payload)
	if err != nil {
		return nil, err
	}
	if out, ok := appendResponse(nil, resp); ok {
		return out, nil
	}
	// Not one of Adapt's response types (a LambdaHandler made by hand): as
	// the runtime would encode it.
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(resp); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}
