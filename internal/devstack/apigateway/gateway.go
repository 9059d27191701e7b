// Package apigateway is a local stand-in for an API Gateway REST API with
// Lambda proxy integrations: it routes each HTTP request by method and path
// to a function, as the template's Api events say, sends it a payload 1.0
// proxy event and writes the function's proxy response back, answering
// errors the way API Gateway does (403, 502, 504).
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
	BinaryMediaTypes []string
	Stage            string        // default "local"
	Timeout          time.Duration // integration timeout; default 29s, as API Gateway's
	Logger           *slog.Logger  // one line per request; nil: slog.Default()
}

// Limits of API Gateway REST APIs.
const (
	defaultTimeout = 29 * time.Second
	maxRequestBody = 10 << 20
)

// Gateway is an http.Handler serving the API.
type Gateway struct {
	router      router
	functions   map[string]Invoker
	binaryTypes []string
	stage       string
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
		timeout:     cfg.Timeout,
		log:         cfg.Logger,
	}
	if g.stage == "" {
		g.stage = "local"
	}
	if g.timeout <= 0 {
		g.timeout = defaultTimeout
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

	route, params := g.router.find(r.Method, r.URL.Path)
	if route == nil {
		// API Gateway's answer for a method or path it does not know.
		status = writeError(w, http.StatusForbidden, "MissingAuthenticationTokenException", "Missing Authentication Token")
		return
	}
	function = route.Function

	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxRequestBody))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			status = writeError(w, http.StatusRequestEntityTooLarge, "RequestTooLargeException", "Request Too Long")
		} else {
			status = writeError(w, http.StatusBadRequest, "BadRequestException", "Could not read the request body")
		}
		return
	}

	event, err := json.Marshal(g.requestEvent(r, route, params, body, requestID, start))
	if err != nil {
		status = writeError(w, http.StatusInternalServerError, "InternalServerErrorException", "Internal server error")
		return
	}

	// The function runs to its end even if the client goes away, as on AWS;
	// only the integration timeout cuts it short.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), g.timeout)
	defer cancel()
	payload, err := g.functions[route.Function].Invoke(ctx, event)
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		status = writeError(w, http.StatusGatewayTimeout, "IntegrationTimeout", "Endpoint request timed out")
		return
	case err != nil:
		g.log.Warn("function failed", "function", function, "requestId", requestID, "error", err)
		status = writeError(w, http.StatusBadGateway, "InternalServerErrorException", "Internal server error")
		return
	}
	status, err = g.writeResponse(w, r, payload)
	if err != nil {
		g.log.Warn("malformed Lambda proxy response", "function", function, "requestId", requestID, "error", err)
		status = writeError(w, http.StatusBadGateway, "InternalServerErrorException", "Internal server error")
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
