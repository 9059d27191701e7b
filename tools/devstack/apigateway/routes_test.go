package apigateway

import (
	"reflect"
	"testing"

	"github.com/faas-grip/faas-grip-go/tools/template"
)

func TestRouterPrefersTheMostSpecificRoute(t *testing.T) {
	r, err := newRouter([]Route{
		{Method: "GET", Path: "/items/{id}", Function: "Item"},
		{Method: "GET", Path: "/items/new", Function: "New"},
		{Method: "ANY", Path: "/items/{id}", Function: "AnyItem"},
		{Method: "ANY", Path: "/{proxy+}", Function: "Proxy"},
		{Method: "GET", Path: "/", Function: "Root"},
		{Method: "POST", Path: "/chat", Function: "Chat"},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		method, path, want string
		params             map[string]string
	}{
		{"GET", "/items/new", "New", nil},
		{"GET", "/items/42", "Item", map[string]string{"id": "42"}},
		{"DELETE", "/items/42", "AnyItem", map[string]string{"id": "42"}},
		{"GET", "/items/42/parts", "Proxy", map[string]string{"proxy": "items/42/parts"}},
		{"GET", "/", "Root", nil},
		{"POST", "/chat/", "Chat", nil},
		{"GET", "/chat", "Proxy", map[string]string{"proxy": "chat"}},
	} {
		route, params := r.find(tc.method, tc.path, "")
		if route == nil || route.Function != tc.want || !reflect.DeepEqual(params, tc.params) {
			t.Errorf("%s %s: got %+v %v, want %s %v", tc.method, tc.path, route, params, tc.want, tc.params)
		}
	}

	strict, _ := newRouter([]Route{{Method: "POST", Path: "/chat", Function: "Chat"}})
	for _, req := range [][2]string{{"GET", "/chat"}, {"POST", "/chat/x"}, {"POST", "/"}} {
		if route, _ := strict.find(req[0], req[1], ""); route != nil {
			t.Errorf("%s %s matched %+v", req[0], req[1], route)
		}
	}
}

func TestRouterRejectsBadRoutes(t *testing.T) {
	for _, routes := range [][]Route{
		{{Method: "GET", Path: "/a", Function: "A"}, {Method: "GET", Path: "/a", Function: "B"}},
		{{Method: "GET", Path: "/{proxy+}/x", Function: "A"}},
	} {
		if _, err := newRouter(routes); err == nil {
			t.Errorf("newRouter(%+v): no error", routes)
		}
	}
}

func TestRoutesFromTemplate(t *testing.T) {
	tpl := &template.Template{Functions: []template.Function{
		{LogicalID: "ChatFunction", APIEvents: []template.APIEvent{
			{Path: "/chat", Method: "GET", Kind: template.KindRestAPI, PayloadFormatVersion: "1.0"},
			{Path: "/chat", Method: "POST", Kind: template.KindHTTPAPI, PayloadFormatVersion: "2.0"},
		}},
		{LogicalID: "PublishFunction", SQSEvents: []template.SQSEvent{{Queue: "q"}}},
	}}
	want := []Route{
		{Method: "GET", Path: "/chat", Function: "ChatFunction", API: template.KindRestAPI, PayloadVersion: "1.0"},
		{Method: "POST", Path: "/chat", Function: "ChatFunction", API: template.KindHTTPAPI, PayloadVersion: "2.0"},
	}
	if got := RoutesFromTemplate(tpl); !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
}
