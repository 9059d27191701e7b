package apigw

import (
	"net/http"
	"net/url"
)

// Request is the front-door-neutral view of an HTTP request that reached a
// Lambda function. Body is already base64-decoded.
type Request struct {
	Method    string
	Path      string      // REST API events leave the stage out: "/chat" when the client asked for "/Prod/chat"
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
