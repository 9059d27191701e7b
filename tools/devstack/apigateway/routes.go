package apigateway

import (
	"fmt"
	"strings"

	"github.com/faas-grip/faas-grip-go/tools/template"
)

// Route sends requests for Method and Path to a function.
type Route struct {
	Method string // upper case; "ANY" matches every method
	// Path is the resource path: "/chat", "/items/{id}", "/files/{proxy+}";
	// or template.DefaultRoute ("$default") for an HTTP API's catch-all.
	Path     string
	Function string // logical id
	// API is the kind of API the route belongs to: template.KindRestAPI
	// (the default when empty) or template.KindHTTPAPI. It chooses the
	// event, the response rules, the errors, and in deployed mode whether
	// the route lives under /<Stage>/ (REST) or at the root (HTTP API).
	API template.APIKind
	// PayloadVersion is the event's format, "1.0" or "2.0"; empty means
	// "1.0" for a REST route and "2.0" for an HTTP API route.
	PayloadVersion string
}

// httpAPI reports whether the route belongs to an HTTP API.
func (r Route) httpAPI() bool { return r.API == template.KindHTTPAPI }

// payloadV2 reports whether the function gets a payload 2.0 event.
func (r Route) payloadV2() bool {
	if r.PayloadVersion == "" {
		return r.httpAPI()
	}
	return r.PayloadVersion == "2.0"
}

// routeKey is the HTTP API's name for the route: "GET /chat", "$default".
func (r Route) routeKey() string {
	if r.Path == template.DefaultRoute {
		return r.Path
	}
	return r.Method + " " + r.Path
}

// RoutesFromTemplate lists the routes of every Api and HttpApi event in t.
func RoutesFromTemplate(t *template.Template) []Route {
	var routes []Route
	for _, fn := range t.Functions {
		for _, ev := range fn.APIEvents {
			routes = append(routes, Route{Method: ev.Method, Path: ev.Path, Function: fn.LogicalID,
				API: ev.Kind, PayloadVersion: ev.PayloadFormatVersion})
		}
	}
	return routes
}

// segment kinds, in the order API Gateway prefers them.
const (
	catchAll = iota // $default: anything no other route matches
	greedy          // {name+}: the rest of the path
	param           // {name}: one segment
	literal         // text
)

type segment struct {
	kind int
	text string // the literal, or the parameter's name
}

// compiledRoute is a Route split into segments for matching.
type compiledRoute struct {
	Route
	segments []segment
}

func compile(r Route) (compiledRoute, error) {
	if r.API == "" {
		r.API = template.KindRestAPI
	}
	c := compiledRoute{Route: r}
	if r.Path == template.DefaultRoute {
		if !r.httpAPI() {
			return c, fmt.Errorf("apigateway: %s is an HTTP API route; a REST API has no such route", r.Path)
		}
		c.segments = []segment{{kind: catchAll}}
		return c, nil
	}
	parts := splitPath(r.Path)
	for i, p := range parts {
		switch {
		case strings.HasPrefix(p, "{") && strings.HasSuffix(p, "+}"):
			if i != len(parts)-1 {
				return c, fmt.Errorf("apigateway: %s: a greedy {name+} must be the last segment", r.Path)
			}
			c.segments = append(c.segments, segment{greedy, p[1 : len(p)-2]})
		case strings.HasPrefix(p, "{") && strings.HasSuffix(p, "}"):
			c.segments = append(c.segments, segment{param, p[1 : len(p)-1]})
		default:
			c.segments = append(c.segments, segment{literal, p})
		}
	}
	return c, nil
}

// splitPath splits "/a/b/" into ["a", "b"]; "/" gives none.
func splitPath(p string) []string {
	p = strings.Trim(p, "/")
	if p == "" {
		return nil
	}
	return strings.Split(p, "/")
}

// match reports whether path matches the route's resource, and its path
// parameters.
func (c *compiledRoute) match(parts []string) (map[string]string, bool) {
	var params map[string]string
	set := func(k, v string) {
		if params == nil {
			params = map[string]string{}
		}
		params[k] = v
	}
	for i, s := range c.segments {
		if s.kind == catchAll {
			return nil, true
		}
		if s.kind == greedy {
			if i >= len(parts) {
				return nil, false // {proxy+} needs at least one segment
			}
			set(s.text, strings.Join(parts[i:], "/"))
			return params, true
		}
		if i >= len(parts) {
			return nil, false
		}
		switch s.kind {
		case literal:
			if parts[i] != s.text {
				return nil, false
			}
		case param:
			set(s.text, parts[i])
		}
	}
	return params, len(parts) == len(c.segments)
}

// moreSpecific reports whether a should win over b when both match: literal
// segments beat parameters, parameters beat greedy ones, and an exact method
// beats ANY.
func moreSpecific(a, b *compiledRoute) bool {
	if a.isCatchAll() != b.isCatchAll() {
		return b.isCatchAll()
	}
	for i := 0; i < len(a.segments) && i < len(b.segments); i++ {
		if a.segments[i].kind != b.segments[i].kind {
			return a.segments[i].kind > b.segments[i].kind
		}
	}
	if len(a.segments) != len(b.segments) {
		return len(a.segments) > len(b.segments)
	}
	return a.Method != "ANY" && b.Method == "ANY"
}

func (c *compiledRoute) isCatchAll() bool {
	return len(c.segments) == 1 && c.segments[0].kind == catchAll
}

// router finds the route for a request.
type router []compiledRoute

func newRouter(routes []Route) (router, error) {
	seen := map[string]bool{}
	var r router
	for _, route := range routes {
		c, err := compile(route)
		if err != nil {
			return nil, err
		}
		key := string(c.API) + " " + route.Method + " " + route.Path
		if seen[key] {
			return nil, fmt.Errorf("apigateway: two routes for %s %s", route.Method, route.Path)
		}
		seen[key] = true
		r = append(r, c)
	}
	return r, nil
}

// find returns the best route for method and path among the routes of
// the API kind api ("" for any), or nil.
func (r router) find(method, path string, api template.APIKind) (*compiledRoute, map[string]string) {
	parts := splitPath(path)
	var best *compiledRoute
	var bestParams map[string]string
	for i := range r {
		c := &r[i]
		if c.Method != method && c.Method != "ANY" || api != "" && c.API != api {
			continue
		}
		params, ok := c.match(parts)
		if ok && (best == nil || moreSpecific(c, best)) {
			best, bestParams = c, params
		}
	}
	return best, bestParams
}
