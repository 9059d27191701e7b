// Package apigateway is a local stand-in for API Gateway with Lambda proxy
// integrations, for both kinds of API a SAM template declares: REST APIs
// (Type: Api; payload 1.0 events) and HTTP APIs (Type: HttpApi; payload 2.0
// events by default). It routes each HTTP request by method and path to a
// function, sends it the event the real API would send, writes the
// function's response back by that API's rules, and answers errors as that
// API does (REST: 403, 502, 504; HTTP API: 404, 500, 503).
//
// By default it serves every route at the root on any Host, as
// `sam local start-api` does. Config.Domain turns on deployed mode, which is
// as strict as the deployed API: only requests whose Host is that domain
// are served (others get 403 Forbidden), REST routes only under /<Stage>/,
// HTTP API routes at the root ($default stage). A proxy configuration that
// works against deployed mode works against AWS.
package apigateway

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"
)

// Invoker runs a function on one event; *runtimeapi.Function is one.
type Invoker interface {
	Invoke(ctx context.Context, payload []byte) ([]byte, error)
}

// Config describes the API.
type Config struct {
	Routes    []Route
	Functions map[string]Invoker // by logical id; every route's function must be here
	// BinaryMediaTypes are the API's binary media types (wildcards allowed):
	// request bodies of these types reach the function base64-encoded.
	// They apply to REST routes; an HTTP API decides by itself (see
	// isTextForHTTPAPI).
	BinaryMediaTypes []string
	// Stage is the REST API's stage; default "local", or DeployedStage in
	// deployed mode. HTTP API routes always use "$default".
	Stage string
	// Domain, when set, turns on deployed mode: the API's host name, e.g.
	// "abc123.execute-api.us-east-1.amazonaws.com". Requests with another
	// Host get 403 {"message":"Forbidden"}; REST routes are served only
	// under /<Stage>/, HTTP API routes at the root.
	Domain  string
	Timeout time.Duration // integration timeout; default 29s (REST) and 30s (HTTP API), as API Gateway's
	Logger  *slog.Logger  // one line per request; nil: slog.Default()
}

// DeployedStage is the stage of SAM's implicit REST API (ServerlessRestApi),
// which deployed mode serves REST routes under.
const DeployedStage = "Prod"

// httpAPIStage is the only stage an HTTP API made by SAM has.
const httpAPIStage = "$default"

// Limits of API Gateway.
const (
	defaultTimeout        = 29 * time.Second
	defaultHTTPAPITimeout = 30 * time.Second
	maxRequestBody        = 10 << 20
)

// Gateway is an http.Handler serving the API.
type Gateway struct {
	router      router
	functions   map[string]Invoker
	binaryTypes []string
	stage       string
	domain      string
	apiID       string
	timeout     time.Duration
	log         *slog.Logger
}

// New checks cfg and returns the gateway.
func New(cfg Config) (*Gateway, error) {
	r, err := newRouter(cfg.Routes)
	if err != nil {
		return nil, err
	}
	for _, route := range cfg.Routes {
		if cfg.Functions[route.Function] == nil {
			return nil, fmt.Errorf("apigateway: route %s %s: no function %q", route.Method, route.Path, route.Function)
		}
	}
	g := &Gateway{
		router:      r,
		functions:   cfg.Functions,
		binaryTypes: cfg.BinaryMediaTypes,
		stage:       cfg.Stage,
		domain:      strings.ToLower(cfg.Domain),
		apiID:       apiIDOf(cfg.Domain),
		timeout:     cfg.Timeout,
		log:         cfg.Logger,
	}
	if g.stage == "" {
		g.stage = "local"
		if g.domain != "" {
			g.stage = DeployedStage
		}
	}
	if g.log == nil {
		g.log = slog.Default()
	}
	return g, nil
}

// Routes lists the gateway's routes.
func (g *Gateway) Routes() []Route {
	out := make([]Route, len(g.router))
	for i, c := range g.router {
		out[i] = c.Route
	}
	return out
}

// ServeHTTP routes one request to its function.
func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	requestID := newRequestID()
	w.Header().Set("X-Amzn-Requestid", requestID)

	function, status := "-", 0
	defer func() {
		g.log.Info("request", "method", r.Method, "path", r.URL.Path, "function", function,
			"status", status, "duration", time.Since(start).Round(time.Microsecond), "requestId", requestID)
	}()

	route, params, answer := g.route(r)
	if route == nil {
		status = answer(w)
		return
	}
	function = route.Function
	api := apiOf(route.Route)

	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxRequestBody))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			status = api.tooLarge(w)
		} else {
			status = writeError(w, http.StatusBadRequest, "BadRequestException", "Could not read the request body")
		}
		return
	}

	var ev any
	if route.payloadV2() {
		ev = g.requestEventV2(r, route, params, body, requestID, start)
	} else {
		ev = g.requestEvent(r, route, params, body, requestID, start)
	}
	event, err := json.Marshal(ev)
	if err != nil {
		status = api.internalError(w)
		return
	}

	// The function runs to its end even if the client goes away, as on AWS;
	// only the integration timeout cuts it short.
	timeout := g.timeout
	if timeout <= 0 {
		timeout = api.timeout
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), timeout)
	defer cancel()
	payload, err := g.functions[route.Function].Invoke(ctx, event)
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		status = api.timedOut(w)
		return
	case err != nil:
		g.log.Warn("function failed", "function", function, "requestId", requestID, "error", err)
		status = api.functionFailed(w)
		return
	}
	if route.payloadV2() {
		status, err = writeResponseV2(w, payload)
	} else {
		status, err = g.writeResponse(w, r, payload, route.httpAPI())
	}
	if err != nil {
		g.log.Warn("malformed Lambda proxy response", "function", function, "requestId", requestID, "error", err)
		status = api.functionFailed(w)
	}
}

// writeError answers as API Gateway does: {"message": "..."} with the error
// type in x-amzn-ErrorType. It returns the status for the log line.
func writeError(w http.ResponseWriter, status int, errType, message string) int {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Amzn-Errortype", errType)
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"message": message})
	return status
}

// localAddr is the address the request came in on.
func (g *Gateway) localAddr(r *http.Request) string {
	if a, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr); ok {
		return a.String()
	}
	return ""
}

func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}
