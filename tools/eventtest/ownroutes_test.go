package eventtest

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/faas-grip/faas-grip-go/tools/template"
)

// TestFunctionsTestTheirOwnRoutes fails when a function with API routes in
// template.yaml has no test that loads a sample event of one of its own
// routes: a forked function whose copied tests still drive the old sample's
// events passes them without ever being asked for its own route.
func TestFunctionsTestTheirOwnRoutes(t *testing.T) {
	root := filepath.Dir(Dir())
	tmpl, err := template.Load(filepath.Join(root, "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	samples, err := readSampleRoutes(Dir())
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, fn := range tmpl.Functions {
		if len(fn.APIEvents) == 0 {
			continue
		}
		checked++
		loaded, err := eventsNamedBy(filepath.Join(root, filepath.FromSlash(fn.Dir())), samples)
		if err != nil {
			t.Errorf("%s: %v", fn.LogicalID, err)
			continue
		}
		if own := ownEvents(fn, loaded, samples); len(own) == 0 {
			t.Errorf("%s: no test in %s/ loads an event of its own routes (%s); its tests load %v. "+
				"README, Fork a function, step 4: add an event for its route to events/ and use it in %s/main_test.go",
				fn.LogicalID, fn.Dir(), routeList(fn), loaded, fn.Dir())
		}
	}
	if checked == 0 {
		t.Log("no function with API routes in template.yaml: nothing to check")
	}
}

// sampleRoute is the request a sample event stands for.
type sampleRoute struct {
	Method string // empty when the event does not say
	Path   string
}

// readSampleRoutes reads the route of each API Gateway or function URL event
// in dir: payload 2.0 routeKey (else rawPath), or v1 resource (else path).
// Events of other sources (SQS, direct invoke) have none.
func readSampleRoutes(dir string) (map[string]sampleRoute, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return nil, err
	}
	out := map[string]sampleRoute{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		var ev struct {
			RouteKey       string `json:"routeKey"`
			RawPath        string `json:"rawPath"`
			Resource       string `json:"resource"`
			Path           string `json:"path"`
			HTTPMethod     string `json:"httpMethod"`
			RequestContext struct {
				HTTP struct {
					Method string `json:"method"`
				} `json:"http"`
			} `json:"requestContext"`
		}
		if json.Unmarshal(b, &ev) != nil {
			continue // a list or another shape: not a request
		}
		r := sampleRoute{Method: strings.ToUpper(ev.HTTPMethod + ev.RequestContext.HTTP.Method)}
		switch {
		case ev.RouteKey != "" && ev.RouteKey != template.DefaultRoute:
			method, path, ok := strings.Cut(ev.RouteKey, " ")
			if !ok {
				return nil, fmt.Errorf("events/%s: routeKey %q is not \"METHOD /path\"", filepath.Base(f), ev.RouteKey)
			}
			r = sampleRoute{Method: method, Path: path}
		case ev.RawPath != "":
			r.Path = ev.RawPath
		case ev.Resource != "":
			r.Path = ev.Resource
		case ev.Path != "":
			r.Path = ev.Path
		default:
			continue
		}
		out[filepath.Base(f)] = r
	}
	return out, nil
}

// eventsNamedBy lists the sample events that the tests in dir name, as
// "name.json" or "events/name.json".
func eventsNamedBy(dir string, samples map[string]sampleRoute) ([]string, error) {
	tests, err := filepath.Glob(filepath.Join(dir, "*_test.go"))
	if err != nil {
		return nil, err
	}
	if len(tests) == 0 {
		return nil, fmt.Errorf("no tests in %s (README, Fork a function, step 4)", dir)
	}
	var text strings.Builder
	for _, f := range tests {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		text.Write(b)
	}
	var named []string
	for name := range samples {
		if strings.Contains(text.String(), `"`+name+`"`) || strings.Contains(text.String(), "events/"+name) {
			named = append(named, name)
		}
	}
	return named, nil
}

// ownEvents are the events among names whose route is one of fn's.
func ownEvents(fn template.Function, names []string, samples map[string]sampleRoute) []string {
	var own []string
	for _, name := range names {
		s := samples[name]
		for _, ev := range fn.APIEvents {
			if (s.Method == "" || ev.Method == "ANY" || s.Method == ev.Method) && pathMatches(ev.Path, s.Path) {
				own = append(own, name)
				break
			}
		}
	}
	return own
}

// pathMatches reports whether a request path (or a route written the same
// way) falls under a template route: {param} is one segment, {proxy+} the
// rest, and $default anything.
func pathMatches(route, path string) bool {
	if route == template.DefaultRoute || route == path {
		return true
	}
	pattern := regexp.QuoteMeta(route)
	pattern = regexp.MustCompile(`\\\{[^/]+?\\\+\\\}`).ReplaceAllString(pattern, `.+`)
	pattern = regexp.MustCompile(`\\\{[^/]+?\\\}`).ReplaceAllString(pattern, `[^/]+`)
	return regexp.MustCompile("^" + pattern + "$").MatchString(path)
}

func routeList(fn template.Function) string {
	var rs []string
	for _, ev := range fn.APIEvents {
		rs = append(rs, ev.Method+" "+ev.Path)
	}
	return strings.Join(rs, ", ")
}
