package apigw

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// legacyAdapt is Adapt as it was before the one-pass decoder: a probe
// decode, then a full encoding/json decode into the events type, and the
// response left to the runtime's encoding/json. The differential tests hold
// the new Adapt to it.
func legacyAdapt(h Handler) func(ctx context.Context, event json.RawMessage) (any, error) {
	return func(ctx context.Context, event json.RawMessage) (any, error) {
		var p struct {
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
		if err := json.Unmarshal(event, &p); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrUnknownEvent, err)
		}
		switch {
		case p.HTTPMethod != "":
			return legacyServe(ctx, h, event, FromV1, (*Response).V1)
		case p.Version != "2.0" || p.RequestContext.HTTP.Method == "":
			return nil, ErrUnknownEvent
		case strings.Contains(p.RequestContext.DomainName, ".lambda-url."):
		case p.RouteKey != "" || p.RequestContext.RouteKey != "":
			return legacyServe(ctx, h, event, FromV2, (*Response).V2)
		}
		return legacyServe(ctx, h, event, FromFunctionURL, (*Response).FunctionURL)
	}
}

func legacyServe[E, R any](ctx context.Context, h Handler, raw json.RawMessage,
	convert func(*E) (*Request, error), respond func(*Response) R) (any, error) {
	var event E
	if err := json.Unmarshal(raw, &event); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUnknownEvent, err)
	}
	req, err := convert(&event)
	if err != nil {
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
