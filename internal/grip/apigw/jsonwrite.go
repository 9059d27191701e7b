package apigw

import (
	"github.com/faas-grip/faas-grip-go/internal/grip/internal/jsonstr"
	"slices"
	"strconv"

	"github.com/aws/aws-lambda-go/events"
)

// appendResponse appends the JSON of one of Adapt's response types exactly
// as encoding/json encodes it with HTML escaping off (the runtime's
// setting): members in struct order, map keys sorted, omitempty honored.
// It reports false for any other type.
func appendResponse(dst []byte, v any) ([]byte, bool) {
	switch r := v.(type) {
	case events.APIGatewayProxyResponse:
		dst = grow(dst, r.Body, r.Headers, r.MultiValueHeaders, nil)
		dst = appendStatus(dst, r.StatusCode)
		dst = appendStringMap(append(dst, `,"headers":`...), r.Headers)
		dst = appendListMap(append(dst, `,"multiValueHeaders":`...), r.MultiValueHeaders)
		dst = jsonstr.Append(append(dst, `,"body":`...), r.Body)
		if r.IsBase64Encoded {
			dst = append(dst, `,"isBase64Encoded":true`...)
		}
	case events.APIGatewayV2HTTPResponse:
		dst = grow(dst, r.Body, r.Headers, r.MultiValueHeaders, r.Cookies)
		dst = appendStatus(dst, r.StatusCode)
		dst = appendStringMap(append(dst, `,"headers":`...), r.Headers)
		dst = appendListMap(append(dst, `,"multiValueHeaders":`...), r.MultiValueHeaders)
		dst = jsonstr.Append(append(dst, `,"body":`...), r.Body)
		if r.IsBase64Encoded {
			dst = append(dst, `,"isBase64Encoded":true`...)
		}
		dst = appendList(append(dst, `,"cookies":`...), r.Cookies)
	case events.LambdaFunctionURLResponse:
		dst = grow(dst, r.Body, r.Headers, nil, r.Cookies)
		dst = appendStatus(dst, r.StatusCode)
		dst = appendStringMap(append(dst, `,"headers":`...), r.Headers)
		dst = jsonstr.Append(append(dst, `,"body":`...), r.Body)
		dst = strconv.AppendBool(append(dst, `,"isBase64Encoded":`...), r.IsBase64Encoded)
		dst = appendList(append(dst, `,"cookies":`...), r.Cookies)
	default:
		return dst, false
	}
	return append(dst, '}'), true
}

// grow makes room for the whole response at once.
func grow(dst []byte, body string, headers map[string]string, multi map[string][]string, cookies []string) []byte {
	n := 128 + len(body)
	for k, v := range headers {
		n += len(k) + len(v) + 6
	}
	for k, vs := range multi {
		n += len(k) + 6
		for _, v := range vs {
			n += len(v) + 3
		}
	}
	for _, c := range cookies {
		n += len(c) + 3
	}
	return slices.Grow(dst, n)
}

func appendStatus(dst []byte, status int) []byte {
	return strconv.AppendInt(append(dst, `{"statusCode":`...), int64(status), 10)
}

func appendStringMap(dst []byte, m map[string]string) []byte {
	if m == nil {
		return append(dst, "null"...)
	}
	dst = append(dst, '{')
	for i, k := range sortedKeys(m) {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(jsonstr.Append(dst, k), ':')
		dst = jsonstr.Append(dst, m[k])
	}
	return append(dst, '}')
}

func appendListMap(dst []byte, m map[string][]string) []byte {
	if m == nil {
		return append(dst, "null"...)
	}
	dst = append(dst, '{')
	for i, k := range sortedKeys(m) {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(jsonstr.Append(dst, k), ':')
		dst = appendList(dst, m[k])
	}
	return append(dst, '}')
}

func appendList(dst []byte, list []string) []byte {
	if list == nil {
		return append(dst, "null"...)
	}
	dst = append(dst, '[')
	for i, v := range list {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = jsonstr.Append(dst, v)
	}
	return append(dst, ']')
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
