// Package apigw turns the HTTP-shaped Lambda events (API Gateway REST v1,
// HTTP API v2 and function URLs) into one request view, and a response back
// into the event type the front door expects.
package apigw

import (
	"net/http"
	"net/url"
)

// Request is the front-door-neutral view of an HTTP request that reached a
// Lambda function. Body is already base64-decoded.
type Request struct {
	Method    string
	Path      string      // as the client sent it; on a REST API deployed stage it includes "/Prod"
	Header    http.Header // canonical keys, all values (multi-value headers kept)
	Query     url.Values
	Body      []byte
	RequestID string
	SourceIP  string
}

// Response is what a handler answers. Body is raw bytes: the adapter base64-encodes
// it for the front door when it is not text.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}
