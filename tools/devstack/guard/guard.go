// Package guard sits in front of a local Pushpin's two ports, so that a web
// page open in the developer's browser cannot use them.
//
// Pushpin's control API publishes whatever it is sent, and accepts a POST
// with Content-Type text/plain: a form any web page can submit, without a
// CORS preflight (CSRF). Its client port answers any Host, so a page whose
// domain re-resolves to 127.0.0.1 (DNS rebinding) reads it as its own
// origin. The guard refuses those requests with 403 and passes every other
// one unchanged (WebSocket upgrades, streams flushed at once, long-polls
// without a deadline): Client for the client port, Control for the control
// API.
package guard

import (
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Client passes requests to the Pushpin client port at upstream (host:port)
// when their Host is one of hosts (host:port, compared without case), and
// refuses the others. The Host reaches Pushpin unchanged, so a route
// without host= still sends it on to the origin.
func Client(upstream string, hosts ...string) http.Handler {
	allowed := map[string]bool{}
	for _, h := range hosts {
		allowed[strings.ToLower(h)] = true
	}
	pass := reverseProxy(upstream)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !allowed[strings.ToLower(r.Host)] {
			refuse(w, "Host "+strconv.Quote(r.Host)+" is not this local stack's (DNS rebinding?): open it as http://localhost:<port> or http://127.0.0.1:<port>")
			return
		}
		pass.ServeHTTP(w, r)
	})
}

// LocalHosts are the Host values of a loopback port: 127.0.0.1:<port> and
// localhost:<port>.
func LocalHosts(port int) []string {
	p := strconv.Itoa(port)
	return []string{"127.0.0.1:" + p, "localhost:" + p}
}

// Control passes requests to Pushpin's control API at upstream (host:port)
// unless a browser sent them on behalf of a web page, or they name a host
// that is not this machine's.
//
// Browsers send Origin on every POST (a form's too) and on every
// cross-origin request, and Sec-Fetch-Site on every request; programs
// (the publish function, curl, tests) send neither. So any Origin is
// refused, and a Sec-Fetch-Site other than none (typed in the address bar)
// or same-origin: same-site too, as a page on another localhost port is
// same-site. The Host must be a loopback name at any port, so that a
// rebound domain is refused while a test's switch in front (which keeps
// its own Host) still passes.
func Control(upstream string) http.Handler {
	pass := reverseProxy(upstream)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch site := r.Header.Get("Sec-Fetch-Site"); {
		case len(r.Header.Values("Origin")) > 0: // even empty, or "null"
			refuse(w, "the control API does not serve web pages (the request has an Origin header): publish from a program")
		case site != "" && site != "none" && site != "same-origin":
			refuse(w, "the control API does not serve web pages (Sec-Fetch-Site: "+site+"): publish from a program")
		case !loopbackName(r.Host):
			refuse(w, "Host "+strconv.Quote(r.Host)+" is not this machine (DNS rebinding?): use http://127.0.0.1:<port>")
		default:
			pass.ServeHTTP(w, r)
		}
	})
}

// loopbackName reports a Host naming this machine: localhost or a loopback
// address, with any port.
func loopbackName(host string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

// refuse answers 403 in words that say it was the guard, not Pushpin or
// the API (whose 403 bodies tests tell apart).
func refuse(w http.ResponseWriter, why string) {
	http.Error(w, "devstack guard: "+why, http.StatusForbidden)
}

// reverseProxy passes requests to upstream as they came: same Host, no
// added X-Forwarded-For, no Accept-Encoding of its own, responses flushed
// at every write (streams), no deadline (long-polls), upgrades relayed
// (WebSocket).
func reverseProxy(upstream string) *httputil.ReverseProxy {
	target := &url.URL{Scheme: "http", Host: upstream}
	return &httputil.ReverseProxy{
		Director: func(r *http.Request) {
			r.URL.Scheme, r.URL.Host = target.Scheme, target.Host
			if _, ok := r.Header["X-Forwarded-For"]; !ok {
				r.Header["X-Forwarded-For"] = nil // ReverseProxy: leave it out
			}
		},
		Transport: &http.Transport{
			Proxy:               nil, // loopback only, whatever HTTP_PROXY says
			DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
			DisableCompression:  true,
			MaxIdleConnsPerHost: 1024, // load tests: hundreds of clients
			IdleConnTimeout:     30 * time.Second,
		},
		FlushInterval: -1,
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			http.Error(w, "devstack guard: Pushpin did not answer: "+err.Error(), http.StatusBadGateway)
		},
	}
}
