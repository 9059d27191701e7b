package apigateway

import (
	"fmt"
	"strings"

	"github.com/faas-grip/faas-grip-go/internal/devstack/template"
)

// Route sends requests for Method and Path to a function.
type Route struct {
	Method   string // upper case; "ANY" matches every method
	Path     string // the resource path: "/chat", "/items/{id}", "/files/{proxy+}"
	Function string // logical id
}

// RoutesFromTemplate lists the routes of every Api event in t.
func RoutesFromTemplate(t *template.Template) []Route {
	var routes []Route
	for _, fn := range t.Functions {
		for _, ev := range fn.APIEvents {
			routes = append(routes, Route{Method: ev.Method, Path: ev.Path, Function: fn.LogicalID})
		}
	}
	return routes
}

// segment kinds, in the order API Gateway prefers them.
const (
	greedy  = iota // {name+}: the rest of the path
	param          // {name}: one segment
	literal        // text
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
	c := compiledRoute{Route: r}
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

// router finds the route for a request.
type router []compiledRoute

func newRouter(routes []Route) (router, error) {
	seen := map[string]bool{}
	var r router
	for _, route := range routes {
		key := route.Method + " " + route.Path
		if seen[key] {
			return nil, fmt.Errorf("apigateway: two routes for %s", key)
		}
		seen[key] = true
		c, err := compile(route)
		if err != nil {
			return nil, err
		}
		r = append(r, c)
	}
	return r, nil
}

// find returns the best route for method and path, or nil.
func (r router) find(method, path string) (*compiledRoute, map[string]string) {
	parts := splitPath(path)
	var best *compiledRoute
	var bestParams map[string]string
	for i := range r {
		c := &r[i]
		if c.Method != method && c.Method != "ANY" {
			continue
		}
		params, ok := c.match(parts)
		if ok && (best == nil || moreSpecific(c, best)) {
			best, bestParams = c, params
		}
	}
	return best, bestParams
}
