package apigateway

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strings"

	"github.com/aws/aws-lambda-go/events"
)

// Headers the gateway computes itself, whatever the function says.
var managedHeaders = map[string]bool{"Content-Length": true, "Transfer-Encoding": true, "Connection": true}

// writeResponse writes a function's payload 1.0 proxy response. An error
// means the payload is not a valid proxy response (API Gateway then answers
// 502, or 500 for an HTTP API), and nothing has been written. httpAPI says
// the route is an HTTP API's, which decodes a base64 body whatever Accept says.
func (g *Gateway) writeResponse(w http.ResponseWriter, r *http.Request, payload []byte, httpAPI bool) (int, error) {
	var resp events.APIGatewayProxyResponse
	dec := json.NewDecoder(bytes.NewReader(payload))
	if err := dec.Decode(&resp); err != nil {
		return 0, fmt.Errorf("not a proxy response object: %w", err)
	}
	if resp.StatusCode < 100 || resp.StatusCode > 599 {
		return 0, fmt.Errorf("statusCode %d", resp.StatusCode)
	}

	body := []byte(resp.Body)
	if resp.IsBase64Encoded {
		// API Gateway decodes a base64 body only when the request's first
		// Accept type is a binary media type; otherwise the client gets the
		// base64 text. Doing the same here shows that surprise locally.
		if httpAPI || g.acceptsBinary(r.Header.Get("Accept")) {
			var err error
			if body, err = base64.StdEncoding.DecodeString(resp.Body); err != nil {
				return 0, errors.New("isBase64Encoded is true but the body is not base64")
			}
		} else {
			g.log.Warn("a base64 body is sent as text: the request's Accept is not a binary media type (API Gateway does the same)",
				"path", r.URL.Path, "accept", r.Header.Get("Accept"))
		}
	}

	h := w.Header()
	// multiValueHeaders win over headers for the same name, as on AWS.
	for k, v := range resp.Headers {
		if !managedHeaders[http.CanonicalHeaderKey(k)] {
			h.Set(k, v)
		}
	}
	for k, vs := range resp.MultiValueHeaders {
		if managedHeaders[http.CanonicalHeaderKey(k)] {
			continue
		}
		h.Del(k)
		for _, v := range vs {
			h.Add(k, v)
		}
	}
	if h.Get("Content-Type") == "" {
		h.Set("Content-Type", "application/json") // API Gateway's default
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = w.Write(body)
	return resp.StatusCode, nil
}

// acceptsBinary reports whether the first media type of an Accept header is
// a binary media type.
func (g *Gateway) acceptsBinary(accept string) bool {
	first, _, _ := strings.Cut(accept, ",")
	if mt, _, err := mime.ParseMediaType(first); err == nil {
		first = mt
	}
	return g.isBinary(first)
}
