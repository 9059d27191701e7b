package apigateway

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/aws/aws-lambda-go/events"
)

// writeResponseV2 writes a function's payload 2.0 response by an HTTP API's
// rules: an object with a statusCode is a structured response (headers,
// cookies as Set-Cookie headers, a body decoded when isBase64Encoded);
// any other valid JSON is the body of a 200 application/json response. An
// error means the payload is not valid JSON or not a valid response (the
// HTTP API then answers 500), and nothing has been written.
func writeResponseV2(w http.ResponseWriter, payload []byte) (int, error) {
	if !json.Valid(payload) {
		return 0, errors.New("the function's response is not JSON")
	}
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(payload, &probe); err != nil || probe["statusCode"] == nil {
		// Not a structured response: API Gateway sends it as it is.
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(payload)
		return http.StatusOK, nil
	}

	var resp events.APIGatewayV2HTTPResponse
	if err := json.NewDecoder(bytes.NewReader(payload)).Decode(&resp); err != nil {
		return 0, fmt.Errorf("not a payload 2.0 response: %w", err)
	}
	if resp.StatusCode < 100 || resp.StatusCode > 599 {
		return 0, fmt.Errorf("statusCode %d", resp.StatusCode)
	}
	body := []byte(resp.Body)
	if resp.IsBase64Encoded {
		var err error
		if body, err = base64.StdEncoding.DecodeString(resp.Body); err != nil {
			return 0, errors.New("isBase64Encoded is true but the body is not base64")
		}
	}
	h := w.Header()
	for k, v := range resp.Headers {
		if !managedHeaders[http.CanonicalHeaderKey(k)] {
			h.Set(k, v)
		}
	}
	// Payload 2.0 has no multiValueHeaders: an HTTP API ignores them.
	for _, c := range resp.Cookies {
		h.Add("Set-Cookie", c)
	}
	if h.Get("Content-Type") == "" {
		h.Set("Content-Type", "application/json")
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = w.Write(body)
	return resp.StatusCode, nil
}
