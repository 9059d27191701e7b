package runtimeapi

import (
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// maxPayload is Lambda's limit for a synchronous response (6 MB).
const maxPayload = 6 * 1024 * 1024

// Runtime API headers (version 2018-06-01).
const (
	headerRequestID   = "Lambda-Runtime-Aws-Request-Id"
	headerDeadline    = "Lambda-Runtime-Deadline-Ms"
	headerFunctionARN = "Lambda-Runtime-Invoked-Function-Arn"
	headerTraceID     = "Lambda-Runtime-Trace-Id"
	headerErrorType   = "Lambda-Runtime-Function-Error-Type"
)

// invocation is one event handed to the function, and its outcome.
type invocation struct {
	id       string
	traceID  string
	payload  []byte
	deadline time.Time
	result   chan result // buffered(1): the first outcome wins
}

type result struct {
	body []byte
	err  *Error
}

func (inv *invocation) finish(r result) {
	select {
	case inv.result <- r:
	default: // already answered
	}
}

// server is the Runtime API of one function process: each process gets its
// own server and port, so a request from a killed process can never take
// an invocation meant for its successor.
type server struct {
	functionARN string
	ln          net.Listener
	http        *http.Server

	next      chan *invocation // the /next handler receives from it
	ready     chan struct{}    // closed at the first /next: init is done
	readyOnce sync.Once
	initErr   chan *Error // buffered(1): a /runtime/init/error
	closed    chan struct{}

	mu       sync.Mutex
	inflight map[string]*invocation
}

// newServer starts a Runtime API server on a free loopback port.
func newServer(functionARN string) (*server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &server{
		functionARN: functionARN,
		ln:          ln,
		next:        make(chan *invocation),
		ready:       make(chan struct{}),
		initErr:     make(chan *Error, 1),
		closed:      make(chan struct{}),
		inflight:    map[string]*invocation{},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /2018-06-01/runtime/invocation/next", s.handleNext)
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/response", s.handleResponse)
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/error", s.handleError)
	mux.HandleFunc("POST /2018-06-01/runtime/init/error", s.handleInitError)
	s.http = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.http.Serve(ln) }()
	return s, nil
}

// addr is the value of AWS_LAMBDA_RUNTIME_API.
func (s *server) addr() string { return s.ln.Addr().String() }

func (s *server) close() {
	close(s.closed)
	_ = s.http.Close()
}

// handleNext blocks until there is an invocation for the function.
func (s *server) handleNext(w http.ResponseWriter, r *http.Request) {
	s.readyOnce.Do(func() { close(s.ready) })
	select {
	case inv := <-s.next:
		s.mu.Lock()
		s.inflight[inv.id] = inv
		s.mu.Unlock()
		h := w.Header()
		h.Set(headerRequestID, inv.id)
		h.Set(headerDeadline, strconv.FormatInt(inv.deadline.UnixMilli(), 10))
		h.Set(headerFunctionARN, s.functionARN)
		h.Set(headerTraceID, inv.traceID)
		h.Set("Content-Type", "application/json")
		_, _ = w.Write(inv.payload)
	case <-r.Context().Done():
	case <-s.closed:
		w.WriteHeader(http.StatusGone)
	}
}

// take removes and returns the in-flight invocation named in the URL, or
// answers 400 as Lambda does for an unknown request id.
func (s *server) take(w http.ResponseWriter, r *http.Request) *invocation {
	id := r.PathValue("id")
	s.mu.Lock()
	inv := s.inflight[id]
	delete(s.inflight, id)
	s.mu.Unlock()
	if inv == nil {
		writeJSON(w, http.StatusBadRequest, errorPayload{ErrorMessage: "Invalid request ID: " + id, ErrorType: "InvalidRequestID"})
	}
	return inv
}

func (s *server) handleResponse(w http.ResponseWriter, r *http.Request) {
	inv := s.take(w, r)
	if inv == nil {
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxPayload))
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		e := newRuntimeError(ErrResponseTooLarge, "Function.ResponseSizeTooLarge", inv.id,
			"Response payload size exceeded maximum allowed payload size ("+strconv.Itoa(maxPayload)+" bytes).")
		inv.finish(result{err: e})
		writeJSON(w, http.StatusRequestEntityTooLarge, errorPayload{ErrorMessage: e.Message, ErrorType: "RequestEntityTooLarge"})
		return
	case err != nil:
		inv.finish(result{err: newRuntimeError(ErrExited, "Runtime.ExitError", inv.id, "reading the response: "+err.Error())})
		return
	}
	// A streamed response reports a failure mid-body in trailers.
	if errType := r.Trailer.Get(headerErrorType); errType != "" {
		inv.finish(result{err: newFunctionError([]byte(r.Trailer.Get("Lambda-Runtime-Function-Error-Body")), errType)})
	} else {
		inv.finish(result{body: body})
	}
	writeJSON(w, http.StatusAccepted, map[string]string{"status": "OK"})
}

func (s *server) handleError(w http.ResponseWriter, r *http.Request) {
	inv := s.take(w, r)
	if inv == nil {
		return
	}
	body, _ := io.ReadAll(io.LimitReader(r.Body, maxPayload))
	inv.finish(result{err: newFunctionError(body, r.Header.Get(headerErrorType))})
	writeJSON(w, http.StatusAccepted, map[string]string{"status": "OK"})
}

func (s *server) handleInitError(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, maxPayload))
	e := newFunctionError(body, r.Header.Get(headerErrorType))
	e.Err = ErrInit
	select {
	case s.initErr <- e:
	default:
	}
	writeJSON(w, http.StatusAccepted, map[string]string{"status": "OK"})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
