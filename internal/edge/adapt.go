package edge

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/faas-grip/faas-grip-go/internal/grip/apigw"
)

// errNilResponse: a handler returned neither a response nor an error.
var errNilResponse = errors.New("edge: the handler returned a nil response and a nil error")

// adapt turns a handler into a Lambda handler that accepts all three HTTP
// front doors and answers each in its own response type:
//
//	REST API (payload 1.0)  events.APIGatewayProxyRequest  -> events.APIGatewayProxyResponse
//	HTTP API (payload 2.0)  events.APIGatewayV2HTTPRequest -> events.APIGatewayV2HTTPResponse
//	function URL            events.APIGatewayV2HTTPRequest -> events.LambdaFunctionURLResponse
//
// A function URL event is payload 2.0 without the route (the same members
// as events.LambdaFunctionURLRequest), so it is read as one. The event is
// decoded with encoding/json, as payload 2.0 first (the template's HTTP
// API: one pass), then as payload 1.0 if it has an httpMethod; the
// response is encoded as the runtime would. An event that is not JSON, not
// one of these, or has a member of the wrong JSON type is an error wrapping
// errUnknownEvent. A body that is not valid base64 is answered 400 without
// calling h.
//
// The result takes event JSON and gives response JSON: the runtime hands
// over the event's bytes as they are, without decoding them into a
// json.RawMessage first (one more pass over the event and a copy). It is
// unexported so that nothing but the edge, with its Grip-Sig check, can
// hand a handler to the Lambda runtime.
func adapt(h apigw.Handler) lambda.Handler { return adapter{h} }

type adapter struct{ h apigw.Handler }

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
	var e eventV2
	errV2 := json.Unmarshal(event, &e)
	if errV2 == nil && e.HTTPMethod == "" {
		door, err := e.frontDoor()
		if err != nil {
			return nil, err
		}
		req, err := fromV2(&e.APIGatewayV2HTTPRequest)
		if door == httpAPI {
			return serve(ctx, a.h, req, err, httpAPIResponse)
		}
		return serve(ctx, a.h, req, err, functionURLResponse)
	}
	// Payload 1.0, or an event that is not payload 2.0 as it stands: a
	// payload 1.0 event may have members of other types than 2.0's.
	var e1 events.APIGatewayProxyRequest
	errV1 := json.Unmarshal(event, &e1)
	switch {
	case errV1 == nil && e1.HTTPMethod != "":
		req, err := fromV1(&e1)
		return serve(ctx, a.h, req, err, restAPIResponse)
	case errV2 == nil:
		// It has an httpMethod, so it is payload 1.0: say what is wrong as that.
		return nil, fmt.Errorf("%w: %w", errUnknownEvent, errV1)
	}
	return nil, fmt.Errorf("%w: %w", errUnknownEvent, errV2)
}

// serve runs h on a converted request and converts its response into the
// front door's type R. convertErr is the conversion's error.
func serve[R any](ctx context.Context, h apigw.Handler, req *apigw.Request, convertErr error,
	respond func(*apigw.Response) R) (any, error) {
	if convertErr != nil {
		// Only a bad body gets here: the client's fault, so a 400.
		return respond(apigw.Error(http.StatusBadRequest, convertErr.Error())), nil
	}
	resp, err := h(ctx, req)
	if err != nil {
		return nil, err
	}
	if resp == nil {
		return nil, errNilResponse
	}
	return respond(resp), nil
}
