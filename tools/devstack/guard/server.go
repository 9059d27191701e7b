package guard

import (
	"net"
	"net/http"
	"time"
)

// Server serves a guard on a listener until Close.
type Server struct {
	srv  *http.Server
	done chan struct{}
}

// Serve serves h on ln in the background.
func Serve(ln net.Listener, h http.Handler) *Server {
	s := &Server{
		// No read or write deadline: streams and long-polls stay open.
		srv:  &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second},
		done: make(chan struct{}),
	}
	go func() {
		defer close(s.done)
		_ = s.srv.Serve(ln) // ErrServerClosed after Close
	}()
	return s
}

// Close stops listening and closes open connections. Relayed WebSockets
// (hijacked) end when Pushpin closes its side.
func (s *Server) Close() error {
	err := s.srv.Close()
	<-s.done
	return err
}
