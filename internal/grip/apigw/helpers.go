package apigw

import "net/http"

// Text returns a response with the given status, Content-Type and body. An
// empty contentType means "text/plain; charset=utf-8". The Content-Type is
// sent exactly as given: pass woh.ContentType for WebSocket-over-HTTP.
func Text(status int, contentType, body string) *Response {
	if contentType == "" {
		contentType = "text/plain; charset=utf-8"
	}
	return &Response{
		Status: status,
		Header: http.Header{"Content-Type": {contentType}},
		Body:   []byte(body),
	}
}

// Error returns a plain-text error response, like net/http's Error: the
// message and a newline, or the status text when msg is empty. Never put a
// secret or an internal error's details in msg: the client reads it.
func Error(status int, msg string) *Response {
	if msg == "" {
		msg = http.StatusText(status)
	}
	return &Response{
		Status: status,
		Header: http.Header{
			"Content-Type":           {"text/plain; charset=utf-8"},
			"X-Content-Type-Options": {"nosniff"},
		},
		Body: []byte(msg + "\n"),
	}
}
