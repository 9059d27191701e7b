package clienttoken

import (
	"fmt"
	"net/http"

	"github.com/faas-grip/faas-grip-go/internal/grip/apigw"
)

// Refusal is why a request is not served, shaped as RFC 6750 §3 asks:
// answer Status with a WWW-Authenticate header of Challenge and Message as
// the body, and log Reason. None of them ever holds the token or a key.
type Refusal struct {
	Status    int    // 400, 401 or 403
	Code      string // RFC 6750 error code; "" when the request had no token
	Challenge string // the WWW-Authenticate header value
	Message   string // safe to show the client
	Reason    string // safe to log
}

func (r *Refusal) Error() string { return "clienttoken: " + r.Reason }

// Header is the WWW-Authenticate header to answer with.
func (r *Refusal) Header() http.Header {
	return http.Header{"Www-Authenticate": {r.Challenge}}
}

// noToken is the bare challenge: RFC 6750 §3.1 says a request without any
// credentials gets no error code, just the scheme to use.
func noToken() *Refusal {
	return &Refusal{Status: http.StatusUnauthorized, Challenge: "Bearer",
		Message: "a token is required: send Authorization: Bearer <token>, or access_token=<token> in the query",
		Reason:  "no token"}
}

func invalidRequest(reason string) *Refusal {
	return &Refusal{Status: http.StatusBadRequest, Code: "invalid_request",
		Challenge: `Bearer error="invalid_request"`,
		Message:   "send one token, either in the Authorization header or as access_token in the query",
		Reason:    reason}
}

// invalidToken describes the problem to the client only in the generic
// words of desc ("the token expired"); what exactly failed goes to reason.
func invalidToken(desc, reason string) *Refusal {
	return &Refusal{Status: http.StatusUnauthorized, Code: "invalid_token",
		Challenge: `Bearer error="invalid_token", error_description="` + desc + `"`,
		Message:   desc,
		Reason:    reason}
}

func insufficientScope(channel string) *Refusal {
	return &Refusal{Status: http.StatusForbidden, Code: "insufficient_scope",
		Challenge: `Bearer error="insufficient_scope"`,
		Message:   "the token does not grant this channel",
		Reason:    fmt.Sprintf("channel %q not granted by the token", channel)}
}

// Response is the refusal as a function answers it: Status, the
// WWW-Authenticate challenge, and Message as a plain-text body.
func (r *Refusal) Response() *apigw.Response {
	resp := apigw.Error(r.Status, r.Message)
	resp.Header.Set("WWW-Authenticate", r.Challenge)
	return resp
}
