package apigw

import (
	"encoding/json"
	"fmt"
	"strings"
)

// frontDoor is which HTTP front door sent an event.
type frontDoor int

const (
	restAPI     frontDoor = iota // payload 1.0: a REST API, or an HTTP API set to 1.0
	httpAPI                      // payload 2.0
	functionURL                  // payload 2.0 without a route
)

// doorProbe holds the few members that tell the event shapes apart.
type doorProbe struct {
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

// frontDoorOf tells the event shapes apart:
//   - a top-level "httpMethod" means payload 1.0;
//   - otherwise "version": "2.0" with requestContext.http.method is payload
//     2.0: a requestContext.domainName containing ".lambda-url." means a
//     function URL, else a routeKey (top level or in requestContext) means
//     an HTTP API, and no routeKey means a function URL behind a custom
//     domain;
//   - anything else is an error wrapping ErrUnknownEvent.
func frontDoorOf(event []byte) (frontDoor, error) {
	var p doorProbe
	if err := json.Unmarshal(event, &p); err != nil {
		return 0, fmt.Errorf("%w: %w", ErrUnknownEvent, err)
	}
	switch {
	case p.HTTPMethod != "":
		return restAPI, nil
	case p.Version != "2.0" || p.RequestContext.HTTP.Method == "":
		return 0, fmt.Errorf("%w: no httpMethod, and no version 2.0 with requestContext.http.method", ErrUnknownEvent)
	case strings.Contains(p.RequestContext.DomainName, ".lambda-url."):
		return functionURL, nil
	case p.RouteKey != "" || p.RequestContext.RouteKey != "":
		return httpAPI, nil
	}
	return functionURL, nil
}
