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
	method := e.HTTPMethod
	if method == "" {
		method = e.RequestContext.HTTPMethod
	}
	multi := multiFields(e.MultiValueHeaders)
	return v1Event{
		method:       method,
		path:         e.Path,
		headers:      singleFieldsAlong(e.Headers, multi, e.MultiValueHeaders),
		multiHeaders: multi,
		query:        e.QueryStringParameters,
		multiQuery:   e.MultiValueQueryStringParameters,
		body:         e.Body,
		isBase64:     e.IsBase64Encoded,
		requestID:    e.RequestContext.RequestID,
		sourceIP:     e.RequestContext.Identity.SourceIP,
	}.request()
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
		headers:   singleFields(e.Headers),
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
		headers:   singleFields(e.Headers),
		cookies:   e.Cookies,
		body:      e.Body,
		isBase64:  e.IsBase64Encoded,
		requestID: e.RequestContext.RequestID,
		sourceIP:  e.RequestContext.HTTP.SourceIP,
	}.request()
}

// singleField and multiField are one header as a front door sent it: the
// name in any case, and its value or values. Lists of them, rather than
// maps, let Adapt's decoder hand headers over without building a map.
// A list may name a header twice (as a JSON object may): the last wins.
type singleField struct{ name, value string }

type multiField struct {
	name   string
	values []string
}

func singleFields(m map[string]string) []singleField {
	fields := make([]singleField, 0, len(m))
	for k, v := range m {
		fields = append(fields, singleField{k, v})
	}
	return fields
}

// singleFieldsAlong lists the names of multi first, in its order: the
// order mergeHeaders checks cheaply.
func singleFieldsAlong(m map[string]string, multi []multiField, multiMap map[string][]string) []singleField {
	fields := make([]singleField, 0, len(m))
	for _, f := range multi {
		if v, ok := m[f.name]; ok {
			fields = append(fields, singleField{f.name, v})
		}
	}
	if len(fields) == len(m) {
		return fields
	}
	for k, v := range m {
		if _, ok := multiMap[k]; !ok {
			fields = append(fields, singleField{k, v})
		}
	}
	return fields
}

func multiFields(m map[string][]string) []multiField {
	fields := make([]multiField, 0, len(m))
	for k, vs := range m {
		fields = append(fields, multiField{k, vs})
	}
	return fields
}

// v1Event is what a REST API event converts from.
type v1Event struct {
	method, path string
	headers      []singleField
	multiHeaders []multiField
	query        map[string]string
	multiQuery   map[string][]string
	body         string
	isBase64     bool
	requestID    string
	sourceIP     string
}

func (e v1Event) request() (*Request, error) {
	body, err := decodeBody(e.body, e.isBase64)
	if err != nil {
		return nil, err
	}
	return &Request{
		Method:    e.method,
		Path:      e.path,
		Header:    headerV1(e.headers, e.multiHeaders),
		Query:     queryV1(e.query, e.multiQuery),
		Body:      body,
		RequestID: e.requestID,
		SourceIP:  e.sourceIP,
	}, nil
}

// v2Event is what HTTP API v2 and function URL events have in common.
type v2Event struct {
	method, rawPath, httpPath, rawQuery string
	query                               map[string]string
	headers                             []singleField
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
	header, ambiguous := headerV2(e.headers)
	if ambiguous {
		// One name in several spellings ("x-a" and "X-A"): their values
		// go in the order of the spellings, not of a map's iteration.
		header, _ = headerV2(lastOfEach(e.headers, func(f singleField) string { return f.name }))
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

// headerV2 canonicalizes names; several spellings of one name keep all
// their values. It reports whether a name came more than once.
func headerV2(fields []singleField) (http.Header, bool) {
	header := make(http.Header, len(fields)+1)
	slab := make([]string, len(fields)) // one allocation for all values
	ambiguous := false
	for i, f := range fields {
		ck := http.CanonicalHeaderKey(f.name)
		if values, seen := header[ck]; seen {
			ambiguous = true
			header[ck] = append(values, f.value)
			continue
		}
		slab[i] = f.value
		header[ck] = slab[i : i+1 : i+1] // capped: a later append copies
	}
	return header, ambiguous
}

// lastOfEach sorts fields by name and keeps the last of each name, as a
// JSON object decoded into a map would.
func lastOfEach[F any](fields []F, name func(F) string) []F {
	sorted := slices.Clone(fields)
	slices.SortStableFunc(sorted, func(a, b F) int { return strings.Compare(name(a), name(b)) })
	out := sorted[:0]
	for i, f := range sorted {
		if i+1 < len(sorted) && name(sorted[i+1]) == name(f) {
			continue
		}
		out = append(out, f)
	}
	return out
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

// headerV1 merges the two header lists of a REST API event.
func headerV1(single []singleField, multi []multiField) http.Header {
	header, ambiguous := mergeHeaders(single, multi)
	if ambiguous {
		// One name in several spellings ("x-a" and "X-A"): merge again in
		// sorted order so the result does not depend on the lists' order.
		header, _ = mergeHeaders(lastOfEach(single, func(f singleField) string { return f.name }),
			lastOfEach(multi, func(f multiField) string { return f.name }))
	}
	return header
}

// mergeHeaders canonicalizes names, multi-value lists first. It reports
// whether the result could depend on the lists' order.
func mergeHeaders(single []singleField, multi []multiField) (http.Header, bool) {
	// All values share one backing array: one allocation instead of one
	// per header (net/textproto does the same).
	count := len(single)
	for _, f := range multi {
		count += len(f.values)
	}
	slab := make([]string, 0, count)
	header := make(http.Header, max(len(single), len(multi)))
	ambiguous := false
	for _, f := range multi {
		ck := http.CanonicalHeaderKey(f.name)
		if _, seen := header[ck]; seen {
			ambiguous = true
			header[ck] = append(header[ck], f.values...)
			continue
		}
		from := len(slab)
		slab = append(slab, f.values...)
		header[ck] = slab[from:len(slab):len(slab)] // capped: a later append copies
	}
	var multiNames map[string]bool // made when first needed
	for i, f := range single {
		ck := http.CanonicalHeaderKey(f.name)
		if _, seen := header[ck]; seen {
			if i < len(multi) && multi[i].name == f.name {
				continue // the usual event: both lists name the same headers in the same order
			}
			if multiNames == nil {
				multiNames = make(map[string]bool, len(multi))
				for _, m := range multi {
					multiNames[m.name] = true
				}
			}
			if !multiNames[f.name] {
				ambiguous = true
			}
			continue // the multi-value list already has it (or an earlier spelling)
		}
		slab = append(slab, f.value)
		header[ck] = slab[len(slab)-1 : len(slab) : len(slab)]
	}
	return header, ambiguous
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
