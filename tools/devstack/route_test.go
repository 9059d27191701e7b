package devstack

import (
	"testing"

	"github.com/faas-grip/faas-grip-go/tools/template"
)

func TestDeployedRoute(t *testing.T) {
	fn := func(kind template.APIKind) *template.Template {
		return &template.Template{Functions: []template.Function{{APIEvents: []template.APIEvent{{Kind: kind, Path: "/a", Method: "GET"}}}}}
	}
	for _, tc := range []struct {
		t    *template.Template
		want string
	}{
		{fn(template.KindHTTPAPI), "* 127.0.0.1:3000,over_http,host=abc.execute-api.us-east-1.amazonaws.com"},
		{fn(template.KindRestAPI), "*,path_beg=/,replace_beg=/Prod/ 127.0.0.1:3000,over_http,host=abc.execute-api.us-east-1.amazonaws.com"},
	} {
		if got := DeployedRoute(tc.t, "127.0.0.1:3000", "abc.execute-api.us-east-1.amazonaws.com"); got != tc.want {
			t.Errorf("got %q, want %q", got, tc.want)
		}
	}
}
