package edge

import (
	"encoding/base64"
	"net/http"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"
	"github.com/faas-grip/faas-grip-go/internal/grip/apigw"
)

// restAPIResponse converts the response for an API Gateway REST API
// (payload format 1.0). A header with one value goes in Headers, one with
// several in MultiValueHeaders. Header values, Content-Type included, are passed
// through exactly. A Status of 0 means 200; a nil Response is an empty 200.
func restAPIResponse(r *apigw.Response) events.APIGatewayProxyResponse {
	body, isBase64 := encodedBody(r)
	var single map[string]string
	var multi map[string][]string
	for name, values := range responseHeader(r) {
		switch len(values) {
		case 0:
			continue
		case 1:
			if single == nil {
				single = make(map[string]string, len(r.Header))
			}
			single[name] = values[0]
		default:
			if multi == nil {
				multi = make(map[string][]string)
			}
			multi[name] = slices.Clone(values) // the handler may reuse its map
		}
	}
	return events.APIGatewayProxyResponse{
		StatusCode:        responseStatus(r),
		Headers:           single,
		MultiValueHeaders: multi,
		Body:              body,
		IsBase64Encoded:   isBase64,
	}
}

// httpAPIResponse converts the response for an API Gateway HTTP API (payload format 2.0).
// That format has one value per header, so repeated values are joined with
// ", ", except Set-Cookie, whose values go in Cookies.
func httpAPIResponse(r *apigw.Response) events.APIGatewayV2HTTPResponse {
	body, isBase64 := encodedBody(r)
	headers, cookies := joinedHeaders(r)
	return events.APIGatewayV2HTTPResponse{
		StatusCode:      responseStatus(r),
		Headers:         headers,
		Body:            body,
		IsBase64Encoded: isBase64,
		Cookies:         cookies,
	}
}

// functionURLResponse converts the response for a Lambda function URL: the
// same rules as httpAPIResponse.
func functionURLResponse(r *apigw.Response) events.LambdaFunctionURLResponse {
	body, isBase64 := encodedBody(r)
	headers, cookies := joinedHeaders(r)
	return events.LambdaFunctionURLResponse{
		StatusCode:      responseStatus(r),
		Headers:         headers,
		Body:            body,
		IsBase64Encoded: isBase64,
		Cookies:         cookies,
	}
}

func responseStatus(r *apigw.Response) int {
	if r == nil || r.Status == 0 {
		return http.StatusOK
	}
	return r.Status
}

func responseHeader(r *apigw.Response) http.Header {
	if r == nil {
		return nil
	}
	return r.Header
}

// joinedHeaders flattens headers for payload format 2.0.
func joinedHeaders(r *apigw.Response) (map[string]string, []string) {
	var headers map[string]string
	var cookies []string
	for name, values := range responseHeader(r) {
		switch {
		case len(values) == 0:
			continue
		case name == "Set-Cookie":
			cookies = append(cookies, values...)
			continue
		}
		if headers == nil {
			headers = make(map[string]string, len(r.Header))
		}
		if len(values) == 1 {
			headers[name] = values[0]
		} else {
			headers[name] = strings.Join(values, ", ")
		}
	}
	return headers, cookies
}

// encodedBody returns the body as the event's string, and whether it is
// base64. Text (by Content-Type, and valid UTF-8) goes as is; anything else,
// including application/websocket-events, goes as base64 so no byte is lost.
func encodedBody(r *apigw.Response) (string, bool) {
	if r == nil || len(r.Body) == 0 {
		return "", false
	}
	if isTextual(r.Header.Get("Content-Type")) && utf8.Valid(r.Body) {
		return string(r.Body), false
	}
	return base64.StdEncoding.EncodeToString(r.Body), true
}

// isTextual reports whether a media type is text that survives the trip
// through API Gateway as a JSON string.
func isTextual(contentType string) bool {
	mediaType, _, _ := strings.Cut(contentType, ";")
	mediaType = strings.ToLower(strings.TrimSpace(mediaType))
	switch {
	case strings.HasPrefix(mediaType, "text/"),
		mediaType == "application/json",
		strings.HasSuffix(mediaType, "+json"),
		strings.HasSuffix(mediaType, "/xml"),
		strings.HasSuffix(mediaType, "+xml"),
		strings.Contains(mediaType, "javascript"),
		mediaType == "application/x-www-form-urlencoded",
		strings.HasSuffix(mediaType, "/event-stream"),
		mediaType == "application/grip-instruct": // GRIP instructions are JSON
		return true
	}
	return false
}
