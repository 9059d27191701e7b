package devstack

import (
	"github.com/faas-grip/faas-grip-go/tools/devstack/apigateway"
	"github.com/faas-grip/faas-grip-go/tools/template"
)

// DeployedRoute is the Pushpin route line for an API at domain reached at
// origin (host:port, no TLS), as README's lines say for the deployed API:
// Host set to the API's domain, and for a REST API the stage added to the
// path. A template with any HTTP API route gets the HTTP API's line.
func DeployedRoute(t *template.Template, origin, domain string) string {
	target := origin + ",over_http,host=" + domain
	for _, fn := range t.Functions {
		for _, ev := range fn.APIEvents {
			if ev.Kind == template.KindHTTPAPI {
				return "* " + target
			}
		}
	}
	return "*,path_beg=/,replace_beg=/" + apigateway.DeployedStage + "/ " + target
}
