package apigateway

import (
	"encoding/base64"
	"mime"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// requestEventV2 builds the HTTP API payload 2.0 event for r, as documented
// in "Create AWS Lambda proxy integrations for HTTP APIs": header names in
// lower case with repeated values joined by commas, cookies apart, repeated
// query parameters joined by commas, the $default stage, and a body in
// base64 unless its Content-Type is text.
func (g *Gateway) requestEventV2(r *http.Request, route *compiledRoute, pathParams map[string]string, body []byte, requestID string, now time.Time) events.APIGatewayV2HTTPRequest {
	sourceIP, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		sourceIP = r.RemoteAddr
	}
	domain := r.Host
	if g.domain != "" {
		domain = g.domain
	}
	prefix, _, _ := strings.Cut(hostOnly(domain), ".")

	headers := map[string]string{"host": r.Host}
	var cookies []string
	for name, values := range r.Header {
		name = strings.ToLower(name)
		if name == "cookie" {
			for _, v := range values {
				for c := range strings.SplitSeq(v, ";") {
					if c = strings.TrimSpace(c); c != "" {
						cookies = append(cookies, c)
					}
				}
			}
			continue
		}
		headers[name] = strings.Join(values, ",")
	}
	// API Gateway adds these; functions that build absolute URLs read them.
	if prev := headers["x-forwarded-for"]; prev != "" {
		headers["x-forwarded-for"] = prev + ", " + sourceIP
	} else {
		headers["x-forwarded-for"] = sourceIP
	}
	headers["x-forwarded-proto"] = "http"
	if _, port, err := net.SplitHostPort(g.localAddr(r)); err == nil {
		headers["x-forwarded-port"] = port
	}
	if len(body) > 0 {
		headers["content-length"] = strconv.Itoa(len(body))
	}

	var query map[string]string
	if q := r.URL.Query(); len(q) > 0 {
		query = make(map[string]string, len(q))
		for k, v := range q {
			query[k] = strings.Join(v, ",")
		}
	}

	ev := events.APIGatewayV2HTTPRequest{
		Version:               "2.0",
		RouteKey:              route.routeKey(),
		RawPath:               r.URL.EscapedPath(),
		RawQueryString:        r.URL.RawQuery,
		Cookies:               cookies,
		Headers:               headers,
		QueryStringParameters: query,
		PathParameters:        pathParams,
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			RouteKey:     route.routeKey(),
			AccountID:    "123456789012",
			Stage:        httpAPIStage,
			RequestID:    requestID,
			APIID:        g.apiID,
			DomainName:   hostOnly(domain),
			DomainPrefix: prefix,
			Time:         now.UTC().Format("02/Jan/2006:15:04:05 -0700"),
			TimeEpoch:    now.UnixMilli(),
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{
				Method:    r.Method,
				Path:      r.URL.EscapedPath(),
				Protocol:  r.Proto,
				SourceIP:  sourceIP,
				UserAgent: r.UserAgent(),
			},
		},
	}
	if len(body) > 0 {
		if isTextForHTTPAPI(r.Header.Get("Content-Type")) {
			ev.Body = string(body)
		} else {
			ev.Body = base64.StdEncoding.EncodeToString(body)
			ev.IsBase64Encoded = true
		}
	}
	return ev
}

// isTextForHTTPAPI reports whether an HTTP API passes a body of this
// Content-Type as text. HTTP APIs have no binary media types: they pass
// text/*, JSON, JavaScript and XML as they are and base64-encode the rest
// (WebSocket-over-HTTP's application/websocket-events, form posts, and a
// body without a Content-Type).
func isTextForHTTPAPI(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	typ, sub, _ := strings.Cut(mt, "/")
	switch {
	case typ == "text":
		return true
	case typ != "application":
		return false
	case sub == "json", sub == "javascript", sub == "xml",
		strings.HasSuffix(sub, "+json"), strings.HasSuffix(sub, "+xml"):
		return true
	}
	return false
}
