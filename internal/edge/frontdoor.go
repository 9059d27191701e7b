package edge

import (
	"fmt"
	"strings"

	"github.com/aws/aws-lambda-go/events"
)

// frontDoor is which HTTP front door sent an event.
type frontDoor int

const (
	restAPI     frontDoor = iota // payload 1.0: a REST API, or an HTTP API set to 1.0
	httpAPI                      // payload 2.0
	functionURL                  // payload 2.0 without a route
)

// eventV2 is a payload 2.0 event, with the one member that marks payload
// 1.0 instead. HTTP APIs and function URLs send the same shape, so one
// decode into it reads either and tells which it is (see frontDoor).
type eventV2 struct {
	events.APIGatewayV2HTTPRequest
	HTTPMethod string `json:"httpMethod"` // payload 1.0 only
}

// frontDoor tells the event shapes apart:
//   - a top-level "httpMethod" means payload 1.0;
//   - otherwise "version": "2.0" with requestContext.http.method is payload
//     2.0: a requestContext.domainName containing ".lambda-url." means a
//     function URL, else a routeKey (top level or in requestContext) means
//     an HTTP API, and no routeKey means a function URL behind a custom
//     domain;
//   - anything else is an error wrapping errUnknownEvent.
func (e *eventV2) frontDoor() (frontDoor, error) {
	switch {
	case e.HTTPMethod != "":
		return restAPI, nil
	case e.Version != "2.0" || e.RequestContext.HTTP.Method == "":
		return 0, fmt.Errorf("%w: no httpMethod, and no version 2.0 with requestContext.http.method", errUnknownEvent)
	case strings.Contains(e.RequestContext.DomainName, ".lambda-url."):
		return functionURL, nil
	case e.RouteKey != "" || e.RequestContext.RouteKey != "":
		return httpAPI, nil
	}
	return functionURL, nil
}
