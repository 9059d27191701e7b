package apigateway

import (
	"net"
	"net/http"
	"strings"

	"github.com/faas-grip/faas-grip-go/tools/template"
)

// route finds the route of r. When there is none, answer writes what API
// Gateway answers instead: 403 for a wrong Host in deployed mode, else the
// API's "no such route" (REST: 403 Missing Authentication Token, or 403
// Forbidden for a path that names no stage; HTTP API: 404 Not Found).
func (g *Gateway) route(r *http.Request) (*compiledRoute, map[string]string, func(http.ResponseWriter) int) {
	path := r.URL.Path
	if g.domain == "" {
		// sam local start-api: every route at the root, any Host.
		route, params := g.router.find(r.Method, path, "")
		return route, params, g.notFoundAnswer("")
	}
	if !strings.EqualFold(hostOnly(r.Host), g.domain) {
		return nil, nil, forbidden
	}
	// A REST API serves its routes under its stage, an HTTP API at the
	// root: they are two APIs, told apart here by the path.
	if rest, ok := cutStage(path, g.stage); ok && g.has(template.KindRestAPI) {
		route, params := g.router.find(r.Method, rest, template.KindRestAPI)
		return route, params, restErrors.notFound
	}
	if !g.has(template.KindHTTPAPI) {
		// A REST API's URL names a stage first; there is none by that name.
		return nil, nil, forbidden
	}
	route, params := g.router.find(r.Method, path, template.KindHTTPAPI)
	return route, params, httpAPIErrors.notFound
}

// notFoundAnswer is the "no such route" answer of the API kind api, or
// with "" of the gateway's routes' kind (REST when it has any).
func (g *Gateway) notFoundAnswer(api template.APIKind) func(http.ResponseWriter) int {
	if api == template.KindHTTPAPI || api == "" && g.has(template.KindHTTPAPI) && !g.has(template.KindRestAPI) {
		return httpAPIErrors.notFound
	}
	return restErrors.notFound
}

// has reports whether the gateway has a route of the API kind api.
func (g *Gateway) has(api template.APIKind) bool {
	for _, c := range g.router {
		if c.API == api {
			return true
		}
	}
	return false
}

// cutStage returns path without its leading /<stage>, and whether it had it.
func cutStage(path, stage string) (string, bool) {
	rest, ok := strings.CutPrefix(path, "/"+stage)
	if !ok || rest != "" && !strings.HasPrefix(rest, "/") {
		return path, false
	}
	if rest == "" {
		rest = "/"
	}
	return rest, true
}

// hostOnly drops the port of a Host header: clients send Host without the
// default port, and the real API's name has none.
func hostOnly(host string) string {
	if h, _, err := net.SplitHostPort(host); err == nil {
		return h
	}
	return host
}

// apiIDOf is the API id in an execute-api domain name
// ("abc123.execute-api.us-east-1.amazonaws.com" -> "abc123"); "local" for
// any other name, or none.
func apiIDOf(domain string) string {
	if id, rest, ok := strings.Cut(domain, "."); ok && strings.HasPrefix(rest, "execute-api.") {
		return id
	}
	return "local"
}
