package grip

import (
	"encoding/base64"
)

// The publish body is written by hand with these appenders: it is the hot
// path of every publish, and appending into one buffer allocates a small
// fraction of what encoding/json does (see BenchmarkPublishBody).

const hexDigits = "0123456789abcdef"

// appendJSONBase64 appends b as a JSON string of standard, padded base64.
func appendJSONBase64(dst, b []byte) []byte {
	dst = append(dst, '"')
	dst = base64.StdEncoding.AppendEncode(dst, b)
	return append(dst, '"')
}

// appendKey appends a member name and colon, with a comma unless it is the
// first member of its object (the previous byte is then '{').
func appendKey(dst []byte, key string) []byte {
	if dst[len(dst)-1] != '{' {
		dst = append(dst, ',')
	}
	dst = append(dst, '"')
	dst = append(dst, key...)
	return append(dst, '"', ':')
}
