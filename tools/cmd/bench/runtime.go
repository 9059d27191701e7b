package main

import (
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// A minimal Lambda Runtime API (2018-06-01) for one function process. The
// devstack's runtimeapi does more (timeouts, restarts, logs) but hides the
// process; the benchmarks need its pid (for its memory) and the instants at
// which the process asked for work and answered.

const apiPrefix = "/2018-06-01/runtime/"

// invocation is one event handed to the function.
type invocation struct {
	id      string
	payload []byte
	handed  time.Time // when /next gave it to the function
	done    chan answer
}

type answer struct {
	body []byte
	err  string // the function's error payload, if it reported one
	at   time.Time
}

// runtimeAPI serves one function process.
type runtimeAPI struct {
	ln        net.Listener
	srv       *http.Server
	queue     chan *invocation
	firstNext chan time.Time // receives the first /next's arrival
	initErr   chan string

	mu      sync.Mutex
	pending map[string]*invocation
	nextID  int
}

func newRuntimeAPI() (*runtimeAPI, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	a := &runtimeAPI{
		ln: ln, queue: make(chan *invocation, 1), firstNext: make(chan time.Time, 1),
		initErr: make(chan string, 1), pending: map[string]*invocation{},
	}
	a.srv = &http.Server{Handler: http.HandlerFunc(a.serve), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = a.srv.Serve(ln) }()
	return a, nil
}

func (a *runtimeAPI) addr() string { return a.ln.Addr().String() }

func (a *runtimeAPI) close() { _ = a.srv.Close() }

func (a *runtimeAPI) serve(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimPrefix(r.URL.Path, apiPrefix)
	switch {
	case r.Method == http.MethodGet && path == "invocation/next":
		a.next(w, r)
	case r.Method == http.MethodPost && path == "init/error":
		body, _ := io.ReadAll(r.Body)
		select {
		case a.initErr <- string(body):
		default:
		}
		w.WriteHeader(http.StatusAccepted)
	case r.Method == http.MethodPost && strings.HasPrefix(path, "invocation/"):
		id, kind, _ := strings.Cut(strings.TrimPrefix(path, "invocation/"), "/")
		body, _ := io.ReadAll(r.Body)
		at := time.Now()
		a.mu.Lock()
		inv := a.pending[id]
		delete(a.pending, id)
		a.mu.Unlock()
		if inv == nil || (kind != "response" && kind != "error") {
			http.Error(w, "unknown invocation", http.StatusBadRequest)
			return
		}
		ans := answer{body: body, at: at}
		if kind == "error" {
			ans.err = string(body)
		}
		inv.done <- ans
		w.WriteHeader(http.StatusAccepted)
	default:
		http.NotFound(w, r)
	}
}

// next blocks until an event is queued, as Lambda's /next does.
func (a *runtimeAPI) next(w http.ResponseWriter, r *http.Request) {
	select {
	case a.firstNext <- time.Now():
	default: // not the first: the slot is full or was read
	}
	select {
	case inv := <-a.queue:
		a.mu.Lock() // also orders handed before the response handler's read
		inv.handed = time.Now()
		a.pending[inv.id] = inv
		a.mu.Unlock()
		h := w.Header()
		h.Set("Lambda-Runtime-Aws-Request-Id", inv.id)
		h.Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(time.Now().Add(30*time.Second).UnixMilli(), 10))
		h.Set("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:123456789012:function:bench")
		h.Set("Lambda-Runtime-Trace-Id", "Root=1-00000000-000000000000000000000000;Parent=0000000000000000;Sampled=0")
		h.Set("Content-Type", "application/json")
		_, _ = w.Write(inv.payload)
	case <-r.Context().Done():
	}
}

// enqueue queues an event for the next /next.
func (a *runtimeAPI) enqueue(payload []byte) *invocation {
	a.mu.Lock()
	a.nextID++
	inv := &invocation{id: "bench-" + strconv.Itoa(a.nextID), payload: payload, done: make(chan answer, 1)}
	a.mu.Unlock()
	a.queue <- inv
	return inv
}
