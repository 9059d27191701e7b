package apigateway

import (
	"encoding/json"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/faas-grip/faas-grip-go/tools/template"
)

const testDomain = "abc123.execute-api.us-east-1.amazonaws.com"

// Deployed mode answers as the deployed API does.
func TestDeployedMode(t *testing.T) {
	for _, tc := range []struct {
		name       string
		api        template.APIKind
		host, path string
		status     int
		body       string
	}{
		{"HTTP API: right host, root path", template.KindHTTPAPI, testDomain, "/chat", 200, "ok"},
		{"HTTP API: host case does not matter", template.KindHTTPAPI, "ABC123.execute-api.us-east-1.amazonaws.com", "/chat", 200, "ok"},
		{"HTTP API: another host", template.KindHTTPAPI, "127.0.0.1", "/chat", 403, `{"message":"Forbidden"}`},
		{"HTTP API: a proxy's own host", template.KindHTTPAPI, "pushpin.example.com", "/chat", 403, `{"message":"Forbidden"}`},
		{"HTTP API: no stage in the path", template.KindHTTPAPI, testDomain, "/Prod/chat", 404, `{"message":"Not Found"}`},
		{"HTTP API: unknown route", template.KindHTTPAPI, testDomain, "/nope", 404, `{"message":"Not Found"}`},
		{"REST: under the stage", template.KindRestAPI, testDomain, "/Prod/chat", 200, "ok"},
		{"REST: without the stage", template.KindRestAPI, testDomain, "/chat", 403, `{"message":"Forbidden"}`},
		{"REST: unknown route", template.KindRestAPI, testDomain, "/Prod/nope", 403, `{"message":"Missing Authentication Token"}`},
		{"REST: another host", template.KindRestAPI, "localhost", "/Prod/chat", 403, `{"message":"Forbidden"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, rec := fakeGateway(t, Config{
				Domain: testDomain,
				Routes: []Route{{Method: "GET", Path: "/chat", API: tc.api}},
			}, `{"statusCode":200,"body":"ok"}`)
			resp, body := send(t, "GET", srv.URL+tc.path, tc.host, "", nil)
			if resp.StatusCode != tc.status || trimNL(body) != tc.body {
				t.Fatalf("GET %s (Host %s): %d %q, want %d %q", tc.path, tc.host, resp.StatusCode, body, tc.status, tc.body)
			}
			if tc.status != 200 {
				return
			}
			if tc.api == template.KindHTTPAPI {
				var ev events.APIGatewayV2HTTPRequest
				_ = json.Unmarshal(rec.last(), &ev)
				rc := ev.RequestContext
				if rc.APIID != "abc123" || rc.DomainName != testDomain || rc.DomainPrefix != "abc123" || rc.Stage != "$default" || ev.RawPath != "/chat" {
					t.Errorf("event: apiId %q domainName %q domainPrefix %q stage %q rawPath %q", rc.APIID, rc.DomainName, rc.DomainPrefix, rc.Stage, ev.RawPath)
				}
			} else {
				var ev events.APIGatewayProxyRequest
				_ = json.Unmarshal(rec.last(), &ev)
				rc := ev.RequestContext
				if ev.Path != "/chat" || ev.Resource != "/chat" || rc.Path != "/Prod/chat" || rc.Stage != "Prod" || rc.APIID != "abc123" || rc.DomainName != testDomain {
					t.Errorf("event: path %q resource %q requestContext.path %q stage %q apiId %q domainName %q", ev.Path, ev.Resource, rc.Path, rc.Stage, rc.APIID, rc.DomainName)
				}
			}
		})
	}
}

// Without a domain the gateway serves every route at the root, as
// sam local start-api does; an HTTP API template answers 404 for no route.
func TestLocalModeAndDefaultRoute(t *testing.T) {
	srv, rec := fakeGateway(t, Config{Routes: []Route{
		{Method: "GET", Path: "/chat", API: template.KindHTTPAPI},
		{Method: "ANY", Path: template.DefaultRoute, API: template.KindHTTPAPI},
	}}, `{"statusCode":200,"body":"ok"}`)
	for path, wantKey := range map[string]string{"/chat": "GET /chat", "/": "$default", "/a/b": "$default"} {
		resp, _ := send(t, "GET", srv.URL+path, "anything.example", "", nil)
		var ev events.APIGatewayV2HTTPRequest
		_ = json.Unmarshal(rec.last(), &ev)
		if resp.StatusCode != 200 || ev.RouteKey != wantKey {
			t.Errorf("GET %s: %d, routeKey %q; want %q", path, resp.StatusCode, ev.RouteKey, wantKey)
		}
	}
	if _, err := New(Config{Routes: []Route{{Method: "ANY", Path: template.DefaultRoute, Function: "F"}}, Functions: map[string]Invoker{"F": &recorder{}}}); err == nil {
		t.Error("a REST $default route: no error")
	}
}

func trimNL(s string) string {
	for len(s) > 0 && s[len(s)-1] == '\n' {
		s = s[:len(s)-1]
	}
	return s
}
