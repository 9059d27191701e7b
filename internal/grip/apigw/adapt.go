package apigw

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
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
// A body that is not valid base64 is answered 400 without calling h.
func Adapt(h Handler) func(ctx context.Context, event json.RawMessage) (any, error) {
	return func(ctx context.Context, event json.RawMessage) (any, error) {
		kind, err := detect(event)
		if err != nil {
			return nil, err
		}
		switch kind {
		case kindV1:
			return serve(ctx, h, event, FromV1, (*Response).V1)
		case kindV2:
			return serve(ctx, h, event, FromV2, (*Response).V2)
		default:
			return serve(ctx, h, event, FromFunctionURL, (*Response).FunctionURL)
		}
	}
}

// serve decodes one kind of event, calls h and converts its response back.
func serve[E, R any](ctx context.Context, h Handler, raw json.RawMessage,
	convert func(*E) (*Request, error), respond func(*Response) R) (any, error) {
	var event E
	if err := json.Unmarshal(raw, &event); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUnknownEvent, err)
	}
	req, err := convert(&event)
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

type eventKind int

const (
	kindV1 eventKind = iota
	kindV2
	kindFunctionURL
)

// probe holds just the fields that tell the event kinds apart.
type probe struct {
	Version        string `json:"version"`
	HTTPMethod     string `json:"httpMethod"`
	RouteKey       string `json:"routeKey"`
	RequestContext struct {
		DomainName string `json:"domainName"`
		RouteKey   string `json:"routeKey"`
		HTTP       struct {
			Method string `json:"method"`
		} `json:"http"`
	} `json:"requestContext"`
}

func detect(event json.RawMessage) (eventKind, error) {
	var p probe
	if err := json.Unmarshal(event, &p); err != nil {
		return 0, fmt.Errorf("%w: %w", ErrUnknownEvent, err)
	}
	switch {
	case p.HTTPMethod != "":
		return kindV1, nil
	case p.Version != "2.0" || p.RequestContext.HTTP.Method == "":
		return 0, fmt.Errorf("%w: no httpMethod, and no version 2.0 with requestContext.http.method", ErrUnknownEvent)
	case strings.Contains(p.RequestContext.DomainName, ".lambda-url."):
		return kindFunctionURL, nil
	case p.RouteKey != "" || p.RequestContext.RouteKey != "":
		return kindV2, nil
	}
	return kindFunctionURL, nil
}
