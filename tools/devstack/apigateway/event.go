package apigateway

import (
	"encoding/base64"
	"mime"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// requestEvent builds the payload 1.0 proxy event for r: a REST API's, or
// an HTTP API route's with PayloadFormatVersion 1.0.
func (g *Gateway) requestEvent(r *http.Request, route *compiledRoute, pathParams map[string]string, body []byte, requestID string, now time.Time) events.APIGatewayProxyRequest {
	sourceIP, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		sourceIP = r.RemoteAddr
	}

	header := r.Header.Clone()
	header.Set("Host", r.Host)
	// API Gateway adds these; functions that build absolute URLs read them.
	header.Set("X-Forwarded-For", strings.Join(append(header.Values("X-Forwarded-For"), sourceIP), ", "))
	header.Set("X-Forwarded-Proto", "http")
	if _, port, err := net.SplitHostPort(g.localAddr(r)); err == nil {
		header.Set("X-Forwarded-Port", port)
	}

	stage, apiID, domain := g.stage, g.apiID, r.Host
	if route.httpAPI() {
		stage = httpAPIStage
	}
	stagePath := "/" + stage + r.URL.Path
	if route.httpAPI() {
		stagePath = r.URL.Path // no stage in an HTTP API's paths
	}
	if g.domain != "" {
		domain = g.domain
		if !route.httpAPI() {
			stagePath = r.URL.Path // already /<Stage>/...
		}
	}
	path := r.URL.Path
	if rest, ok := cutStage(path, stage); ok && g.domain != "" && !route.httpAPI() {
		path = rest // a REST API's event has the path without the stage
	}

	ev := events.APIGatewayProxyRequest{
		Resource:                        route.Path,
		Path:                            path,
		HTTPMethod:                      r.Method,
		Headers:                         lastValues(header),
		MultiValueHeaders:               header,
		QueryStringParameters:           lastValues(r.URL.Query()),
		MultiValueQueryStringParameters: nonEmpty(r.URL.Query()),
		PathParameters:                  pathParams,
		RequestContext: events.APIGatewayProxyRequestContext{
			AccountID:         "123456789012",
			ResourceID:        "local",
			Stage:             stage,
			RequestID:         requestID,
			ExtendedRequestID: requestID,
			ResourcePath:      route.Path,
			Path:              stagePath,
			HTTPMethod:        r.Method,
			APIID:             apiID,
			Protocol:          r.Proto,
			DomainName:        domain,
			RequestTime:       now.UTC().Format("02/Jan/2006:15:04:05 -0700"),
			RequestTimeEpoch:  now.UnixMilli(),
			Identity: events.APIGatewayRequestIdentity{
				SourceIP:  sourceIP,
				UserAgent: r.UserAgent(),
			},
		},
	}
	if len(body) > 0 {
		binary := g.isBinary(r.Header.Get("Content-Type"))
		if route.httpAPI() {
			binary = !isTextForHTTPAPI(r.Header.Get("Content-Type"))
		}
		if binary {
			ev.Body = base64.StdEncoding.EncodeToString(body)
			ev.IsBase64Encoded = true
		} else {
			ev.Body = string(body)
		}
	}
	return ev
}

// isBinary reports whether a media type is one of the binary media types,
// which may use wildcards ("image/*", "*/*").
func (g *Gateway) isBinary(contentType string) bool {
	if contentType == "" {
		return false
	}
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		mt = strings.ToLower(strings.TrimSpace(strings.Split(contentType, ";")[0]))
	}
	typ, sub, _ := strings.Cut(mt, "/")
	for _, b := range g.binaryTypes {
		bt, bs, _ := strings.Cut(strings.ToLower(b), "/")
		if (bt == "*" || bt == typ) && (bs == "*" || bs == sub) {
			return true
		}
	}
	return false
}

// lastValues maps each key to its last value, as API Gateway's single-value
// maps do; nil when there are none (the event then has null).
func lastValues(m map[string][]string) map[string]string {
	if len(m) == 0 {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		if len(v) > 0 {
			out[k] = v[len(v)-1]
		}
	}
	return out
}

func nonEmpty(m map[string][]string) map[string][]string {
	if len(m) == 0 {
		return nil
	}
	return m
}
