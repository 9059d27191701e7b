package edge

import (
	"encoding/base64"
	"errors"
	"fmt"

	"github.com/aws/aws-lambda-go/events"
	"github.com/faas-grip/faas-grip-go/internal/grip/apigw"
)

var (
	// errBadBody: the event says its body is base64 but it is not.
	errBadBody = errors.New("request body is not valid base64")
	// errUnknownEvent: the event is not an HTTP event from API Gateway
	// (REST v1 or HTTP API v2) or a Lambda function URL.
	errUnknownEvent = errors.New("edge: not an API Gateway or function URL HTTP event")
)

// fromV1 converts an API Gateway REST API event (payload format 1.0; also
// what an HTTP API sends with payload format 1.0).
//
// Headers come from both maps: multiValueHeaders holds every value of a name,
// headers only the last, so a name in both takes the multi-value list. Names
// in any case become canonical ("grip-sig" is read as Grip-Sig).
func fromV1(e *events.APIGatewayProxyRequest) (*apigw.Request, error) {
	if e == nil {
		return nil, fmt.Errorf("%w: nil event", errUnknownEvent)
	}
	body, err := decodeBody(e.Body, e.IsBase64Encoded)
	if err != nil {
		return nil, err
	}
	method := e.HTTPMethod
	if method == "" {
		method = e.RequestContext.HTTPMethod
	}
	return &apigw.Request{
		Method:    method,
		Path:      e.Path,
		Header:    headerV1(e.Headers, e.MultiValueHeaders),
		Query:     queryV1(e.QueryStringParameters, e.MultiValueQueryStringParameters),
		Body:      body,
		RequestID: e.RequestContext.RequestID,
		SourceIP:  e.RequestContext.Identity.SourceIP,
	}, nil
}

// fromV2 converts an API Gateway HTTP API event (payload format 2.0).
//
// HTTP APIs join repeated headers with commas into one value, and move
// cookies out of the headers: they are joined back into one Cookie header.
// The query comes from rawQueryString; malformed pairs in it are dropped,
// as net/url's URL.Query does.
func fromV2(e *events.APIGatewayV2HTTPRequest) (*apigw.Request, error) {
	if e == nil {
		return nil, fmt.Errorf("%w: nil event", errUnknownEvent)
	}
	return payloadV2{
		method:    e.RequestContext.HTTP.Method,
		rawPath:   e.RawPath,
		httpPath:  e.RequestContext.HTTP.Path,
		rawQuery:  e.RawQueryString,
		query:     e.QueryStringParameters,
		headers:   e.Headers,
		cookies:   e.Cookies,
		body:      e.Body,
		isBase64:  e.IsBase64Encoded,
		requestID: e.RequestContext.RequestID,
		sourceIP:  e.RequestContext.HTTP.SourceIP,
	}.request()
}

// payloadV2 is what HTTP API and function URL events have in common: two
// events types with the same members.
type payloadV2 struct {
	method, rawPath, httpPath, rawQuery string
	query, headers                      map[string]string
	cookies                             []string
	body                                string
	isBase64                            bool
	requestID, sourceIP                 string
}

func (e payloadV2) request() (*apigw.Request, error) {
	body, err := decodeBody(e.body, e.isBase64)
	if err != nil {
		return nil, err
	}
	path := e.rawPath
	if path == "" {
		path = e.httpPath
	}
	return &apigw.Request{
		Method:    e.method,
		Path:      path,
		Header:    headerV2(e.headers, e.cookies),
		Query:     queryV2(e.rawQuery, e.query),
		Body:      body,
		RequestID: e.requestID,
		SourceIP:  e.sourceIP,
	}, nil
}

// decodeBody returns the raw body bytes; nil when the body is empty.
func decodeBody(body string, isBase64 bool) ([]byte, error) {
	if body == "" {
		return nil, nil
	}
	if !isBase64 {
		return []byte(body), nil
	}
	raw, err := base64.StdEncoding.DecodeString(body)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errBadBody, err)
	}
	return raw, nil
}
