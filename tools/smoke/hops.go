package smoke

import (
	"fmt"
	"net/http"
	"strings"
)

// The hops a request or a message crosses, as a failure names them.
const (
	hopClientProxy   = "client→proxy"
	hopProxyAPI      = "proxy→API Gateway"
	hopAPIFunction   = "API Gateway→function"
	hopDirect        = "this machine→API Gateway"
	hopChatPublish   = "chat function→proxy control API→clients"
	hopSendQueue     = "this machine→publish queue"
	hopQueueFunction = "publish queue→publish function"
	hopPublish       = "publish function→proxy control API→clients"
	hopDeadLetters   = "publish queue→publish function→proxy control API"
	hopLongpoll      = "proxy→long-poll client"
)

// HopError is a failed check: the hop where it failed, what happened, and
// what to check there.
type HopError struct {
	Hop string
	Msg string
}

func (e *HopError) Error() string { return e.Hop + ": " + e.Msg }

func hopErr(hop, format string, args ...any) *HopError {
	return &HopError{Hop: hop, Msg: fmt.Sprintf(format, args...)}
}

// proxyAnswer explains an answer through the proxy that is not the one
// wanted (what: "GET /stream"), by the hop that produced it: API
// Gateway's own errors are JSON {"message": ...}, the functions' plain
// text, the proxy's neither.
func (c *checker) proxyAnswer(what string, status int, header http.Header, body []byte) *HopError {
	b := strings.TrimSpace(string(body))
	domain := c.outputs["ApiDomain"]
	if domain == "" {
		domain = "<ApiDomain>"
	}
	switch {
	case status == http.StatusForbidden && b == `{"message":"Forbidden"}`:
		return hopErr(hopProxyAPI, "%s: API Gateway answered 403 Forbidden: it refuses the Host the proxy sends, so the proxy route lacks host=%s (Pushpin: add host=%s to the route's target; Fastly: set the backend's Override host to it)", what, domain, domain)
	case status == http.StatusNotFound && b == `{"message":"Not Found"}`:
		return hopErr(hopProxyAPI, "%s: API Gateway has no such route: the proxy changes the path (an HTTP API serves at its root, a REST API under its stage: README, Point the GRIP proxy at the API)", what)
	case status == http.StatusUnauthorized && strings.Contains(header.Get("WWW-Authenticate"), "Bearer"):
		return hopErr(hopAPIFunction, "%s: 401 asking for a client token: the stack has client tokens on (ClientTokenIssuer or ClientTokenSecret); smoke needs a stack whose samples are public", what)
	case status == http.StatusUnauthorized:
		return hopErr(hopAPIFunction, "%s: the function got no Grip-Sig (401 %.120q): PROXY_URL is not a GRIP proxy in front of this API (Fastly: enable Fanout on the service)", what, b)
	case status == http.StatusForbidden && strings.Contains(b, "Grip-Sig"):
		return hopErr(hopAPIFunction, "%s: the function refused the proxy's Grip-Sig (403 %.120q): GripVerifyUrl's verify-key and verify-iss do not match the proxy's (Pushpin: [proxy] sig_key and sig_iss; Fastly: the service id); the function's log says why", what, b)
	case status == http.StatusInternalServerError && strings.Contains(b, "misconfigured"):
		return hopErr(hopAPIFunction, "%s: 500 server misconfigured: RequireGripSig is true but GripVerifyUrl has no verify-key", what)
	case status >= 500 && strings.HasPrefix(b, `{"message":`):
		return hopErr(hopAPIFunction, "%s: API Gateway answered %d %s: the function failed, timed out or was throttled: its log (sam logs) and its Errors and Throttles alarms", what, status, b)
	case status == http.StatusBadGateway || status == http.StatusServiceUnavailable || status == http.StatusGatewayTimeout:
		return hopErr(hopProxyAPI, "%s: the proxy answered %d (%.120q): it could not reach the API: its route's target must be %s:443 with TLS (Pushpin: ssl)", what, status, b, domain)
	}
	return hopErr(hopAPIFunction, "%s: unexpected answer %d %.200q", what, status, b)
}

// unreachable is a request that never got an answer from the proxy.
func (c *checker) unreachable(what string, err error) *HopError {
	return hopErr(hopClientProxy, "%s: no answer from the proxy at %s: %v: check PROXY_URL and that the proxy runs", what, c.proxyShown, err)
}
