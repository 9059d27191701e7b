package lambdaenv

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/faas-grip/faas-grip-go/internal/grip/apigw"
	"github.com/faas-grip/faas-grip-go/internal/grip/sig"
)

// Refusal is why a request was not served, with the status to answer.
// Reason is safe to log; Message is safe to show the client.
type Refusal struct {
	Status  int
	Message string
	Reason  string
}

func (r *Refusal) Error() string { return r.Message + ": " + r.Reason }

// Response turns the refusal into the answer for the client.
func (r *Refusal) Response() *apigw.Response { return apigw.Error(r.Status, r.Message) }

// AsRefusal extracts a *Refusal from err.
func AsRefusal(err error) (*Refusal, bool) {
	var r *Refusal
	ok := errors.As(err, &r)
	return r, ok
}

// Authorize decides whether a request came through the GRIP proxy. It returns
// nil or a *Refusal:
//   - no Grip-Sig header: 401, the request did not come through the proxy;
//   - a Grip-Sig that no configured verifier accepts: 403;
//   - no verifier configured while GRIP_SIG_REQUIRED is true: 500, so a
//     deployment without a verify key fails loudly instead of trusting anyone.
func (e *Env) Authorize(h http.Header) error {
	if h.Get("Grip-Sig") == "" {
		return &Refusal{Status: http.StatusUnauthorized,
			Message: "this endpoint must be reached through a GRIP proxy (Pushpin or Fastly Fanout)",
			Reason:  "no Grip-Sig header"}
	}
	if len(e.Verifiers) == 0 {
		if e.SigRequired {
			return &Refusal{Status: http.StatusInternalServerError,
				Message: "server misconfigured: Grip-Sig verification is required but no verify key is set",
				Reason:  "GRIP_SIG_REQUIRED is true and the GRIP URL has no verify-key"}
		}
		return nil
	}
	var last sig.Result
	for _, v := range e.Verifiers {
		last = v.Check(h)
		if last.Status == sig.Valid {
			return nil
		}
	}
	reason := "invalid Grip-Sig"
	if last.Err != nil {
		reason = last.Err.Error()
	}
	return &Refusal{Status: http.StatusForbidden, Message: "invalid Grip-Sig", Reason: reason}
}

// Refuse is Authorize for handlers: it logs why a request is refused (with
// its request id) and returns the answer to send, or nil when the request
// may be served.
func (e *Env) Refuse(log *slog.Logger, requestID string, h http.Header) *apigw.Response {
	err := e.Authorize(h)
	if err == nil {
		return nil
	}
	r, _ := AsRefusal(err)
	log.Warn("request refused", "request_id", requestID, "status", r.Status, "reason", r.Reason)
	return r.Response()
}
