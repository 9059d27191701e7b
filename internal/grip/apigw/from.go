package apigw

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/aws/aws-lambda-go/events"
)

var (
	// ErrBadBody: the event says its body is base64 but it is not.
	ErrBadBody = errors.New("apigw: request body is not valid base64")
	// ErrUnknownEvent: the event is not an HTTP event from API Gateway
	// (REST v1 or HTTP API v2) or a Lambda function URL.
	ErrUnknownEvent = errors.New("apigw: not an API Gateway or function URL HTTP event")
)

// FromV1 converts an API Gateway REST API event (payload format 1.0; also
// what an HTTP API sends with payload format 1.0).
//
// Headers come from both maps: multiValueHeaders holds every value of a name,
// headers only the last, so a name in both takes the multi-value list. Names
// in any case become canonical ("grip-sig" is read as Grip-Sig).
func FromV1(e *events.APIGatewayProxyRequest) (*Request, error) {
	if e == nil {
		return nil, fmt.Errorf("%w: nil event", ErrUnknownEvent)
	}
	body, err := decodeBody(e.Body, e.IsBase64Encoded)
	if err != nil {
		return nil, err
	}
	method := e.HTTPMethod
	if method == "" {
		method = e.RequestContext.HTTPMethod
	}
	return &Request{
		Method:    method,
		Path:      e.Path,
		Header:    headerV1(e.Headers, e.MultiValueHeaders),
		Query:     queryV1(e.QueryStringParameters, e.MultiValueQueryStringParameters),
		Body:      body,
		RequestID: e.RequestContext.RequestID,
		SourceIP:  e.RequestContext.Identity.SourceIP,
	}, nil
}

// FromV2 converts an API Gateway HTTP API event (payload format 2.0).
//
// HTTP APIs join repeated headers with commas into one value, and move
// cookies out of the headers: they are joined back into one Cookie header.
// The query comes from rawQueryString; malformed pairs in it are dropped,
// as net/url's URL.Query does.
func FromV2(e *events.APIGatewayV2HTTPRequest) (*Request, error) {
	if e == nil {
		return nil, fmt.Errorf("%w: nil event", ErrUnknownEvent)
	}
	return v2Event{
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

// FromFunctionURL converts a Lambda function URL event. Its shape is the
// HTTP API payload 2.0 without the route, and it converts the same way.
func FromFunctionURL(e *events.LambdaFunctionURLRequest) (*Request, error) {
	if e == nil {
		return nil, fmt.Errorf("%w: nil event", ErrUnknownEvent)
	}
	return v2Event{
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

// v2Event is what HTTP API v2 and function URL events have in common.
type v2Event struct {
	method, rawPath, httpPath, rawQuery string
	query                               map[string]string
	headers                             map[string]string
	cookies                             []string
	body                                string
	isBase64                            bool
	requestID, sourceIP                 string
}

func (e v2Event) request() (*Request, error) {
	body, err := decodeBody(e.body, e.isBase64)
	if err != nil {
		return nil, err
	}
	header := make(http.Header, len(e.headers)+1)
	for k, v := range e.headers {
		ck := http.CanonicalHeaderKey(k)
		header[ck] = append(header[ck], v)
	}
	if len(e.cookies) > 0 {
		header["Cookie"] = []string{strings.Join(e.cookies, "; ")}
	}
	path := e.rawPath
	if path == "" {
		path = e.httpPath
	}
	return &Request{
		Method:    e.method,
		Path:      path,
		Header:    header,
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
		return nil, fmt.Errorf("%w: %w", ErrBadBody, err)
	}
	return raw, nil
}

// headerV1 merges the two header maps of a REST API event.
func headerV1(single map[string]string, multi map[string][]string) http.Header {
	singleKeys, multiKeys := keysOf(single), keysOf(multi)
	header, ambiguous := mergeHeaders(single, multi, singleKeys, multiKeys)
	if ambiguous {
		// One name in several spellings ("x-a" and "X-A"): merge again in
		// sorted key order so the result does not depend on map order.
		slices.Sort(singleKeys)
		slices.Sort(multiKeys)
		header, _ = mergeHeaders(single, multi, singleKeys, multiKeys)
	}
	return header
}

// mergeHeaders canonicalizes names, visiting the maps' keys in the order
// given, multi-value lists first. It reports whether the result could
// depend on that order.
func mergeHeaders(single map[string]string, multi map[string][]string, singleKeys, multiKeys []string) (http.Header, bool) {
	// All values share one backing array: one allocation instead of one
	// per header (net/textproto does the same).
	count := len(single)
	for _, values := range multi {
		count += len(values)
	}
	slab := make([]string, 0, count)
	header := make(http.Header, max(len(single), len(multi)))
	ambiguous := false
	for _, k := range multiKeys {
		ck := http.CanonicalHeaderKey(k)
		if _, seen := header[ck]; seen {
			ambiguous = true
			header[ck] = append(header[ck], multi[k]...)
			continue
		}
		from := len(slab)
		slab = append(slab, multi[k]...)
		header[ck] = slab[from:len(slab):len(slab)] // capped: a later append copies
	}
	for _, k := range singleKeys {
		ck := http.CanonicalHeaderKey(k)
		if _, seen := header[ck]; seen {
			if _, sameSpelling := multi[k]; !sameSpelling {
				ambiguous = true
			}
			continue // the multi-value list already has it (or an earlier spelling)
		}
		slab = append(slab, single[k])
		header[ck] = slab[len(slab)-1 : len(slab) : len(slab)]
	}
	return header, ambiguous
}

func keysOf[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	return keys
}

// queryV1 merges REST API query maps: as for headers, the multi-value list
// wins. Query names are case-sensitive and kept as they are.
func queryV1(single map[string]string, multi map[string][]string) url.Values {
	query := make(url.Values, max(len(single), len(multi)))
	for k, vs := range multi {
		query[k] = slices.Clone(vs)
	}
	for k, v := range single {
		if _, ok := query[k]; !ok {
			query[k] = []string{v}
		}
	}
	return query
}

// queryV2 parses rawQueryString. A hand-written event may carry only
// queryStringParameters: those are used then.
func queryV2(raw string, params map[string]string) url.Values {
	if raw == "" && len(params) > 0 {
		query := make(url.Values, len(params))
		for k, v := range params {
			query[k] = []string{v}
		}
		return query
	}
	query, _ := url.ParseQuery(raw) // keeps every well-formed pair
	return query
}
