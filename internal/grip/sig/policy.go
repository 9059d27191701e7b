package sig

import (
	"fmt"
	"net/http"
	"time"

	"github.com/faas-grip/faas-grip-go/internal/grip"
)

// Policy decides whether an origin serves a request: it holds one verifier
// per distinct key of the GRIP endpoints, and whether a Grip-Sig is required
// when there is none. Build it once per cold start with NewPolicy; it is safe
// for concurrent use.
type Policy struct {
	verifiers []*tokenVerifier
	required  bool
}

// PolicyOptions are the deployment facts NewPolicy needs besides the endpoints.
type PolicyOptions struct {
	// Required refuses every request (500) when no endpoint has a key, so a
	// deployment without a verify key fails loudly instead of trusting anyone.
	Required bool
	// Deployed refuses, at cold start, keys anyone can guess (see
	// checkKeyStrength). Local runs may use Pushpin's stock key, which signs
	// the sample events.
	Deployed bool
	// Now is the clock tokens' exp and nbf are checked against; nil is
	// time.Now (tests and examples fix it).
	Now func() time.Time
}

// NewPolicy builds the verifiers of endpoints, keyed as endpointKey says.
// Its errors name the endpoint (redacted), say what to do, and never
// contain a key.
func NewPolicy(endpoints []grip.Endpoint, opts PolicyOptions) (*Policy, error) {
	var vopts []verifierOption
	if opts.Now != nil {
		vopts = append(vopts, withClock(opts.Now))
	}
	p := &Policy{required: opts.Required}
	seen := map[string]bool{}
	for _, ep := range endpoints {
		issuer, key, err := endpointKey(ep)
		if err != nil {
			return nil, fmt.Errorf("the Grip-Sig verify key of %s: %w", ep.String(), err)
		}
		if key == "" || seen[issuer+"\x00"+key] {
			continue
		}
		seen[issuer+"\x00"+key] = true
		if opts.Deployed {
			if err := checkKeyStrength(key); err != nil {
				return nil, fmt.Errorf("the Grip-Sig verify key of %s: %w", ep.String(), err)
			}
		}
		v, err := newVerifier(issuer, key, vopts...)
		if err != nil {
			return nil, fmt.Errorf("the Grip-Sig verify key of %s: %w", ep.String(), err)
		}
		p.verifiers = append(p.verifiers, v)
	}
	return p, nil
}

// Refusal is why a request is not served, with the status to answer.
// Reason is safe to log; Message is safe to show the client. Neither holds
// a key or a token. Code is Reason as one word of a fixed set ("missing",
// "unconfigured", "malformed", "algorithm", "signature", "no-expiry",
// "expired", "not-yet-valid", "issuer", "multiple", "invalid"): a metric
// dimension, where Reason's details (a token's iss) would make a metric each.
type Refusal struct {
	Status  int
	Message string
	Reason  string
	Code    string
}

// Authorize decides whether a request came through the GRIP proxy. It
// returns nil to serve it, or a *Refusal:
//   - no Grip-Sig header: 401, the request did not come through the proxy
//     (also when no key is configured: a proxy always signs);
//   - no key configured while a signature is required: 500;
//   - a Grip-Sig that no verifier accepts: 403.
func (p *Policy) Authorize(h http.Header) *Refusal {
	if h.Get(headerName) == "" {
		return &Refusal{Status: http.StatusUnauthorized,
			Message: "this endpoint must be reached through a GRIP proxy (Pushpin or Fastly Fanout)",
			Reason:  "no Grip-Sig header", Code: "missing"}
	}
	if len(p.verifiers) == 0 {
		if p.required {
			return &Refusal{Status: http.StatusInternalServerError,
				Message: "server misconfigured: Grip-Sig verification is required but no verify key is set",
				Reason:  "GRIP_SIG_REQUIRED is true and the GRIP URL has no verify-key", Code: "unconfigured"}
		}
		return nil
	}
	var last checkResult
	for _, v := range p.verifiers {
		if last = v.check(h); last.Status == statusValid {
			return nil
		}
	}
	reason := "invalid Grip-Sig"
	if last.Err != nil {
		reason = last.Err.Error()
	}
	return &Refusal{Status: http.StatusForbidden, Message: "invalid Grip-Sig", Reason: reason, Code: codeOf(last.Err)}
}
