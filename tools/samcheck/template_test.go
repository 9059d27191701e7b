package samcheck

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestTemplateGlobals(t *testing.T) {
	tmpl, err := LoadTemplate()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"Runtime": "provided.al2023", "Handler": "bootstrap", "MemorySize": "128",
	}
	for key, v := range want {
		if n := Get(tmpl, "Globals", "Function", key); n == nil || n.Value != v {
			t.Errorf("Globals.Function.%s: want %s", key, v)
		}
	}
	if n := Get(tmpl, "Globals", "Function", "Architectures"); n == nil || len(n.Content) != 1 || n.Content[0].Value != "arm64" {
		t.Error("Globals.Function.Architectures: want [arm64]")
	}
	if n := Get(tmpl, "Globals", "Function", "LoggingConfig", "LogFormat"); n == nil || n.Value != "JSON" {
		t.Error("Globals.Function.LoggingConfig.LogFormat: want JSON")
	}
	// A REST API (Type: Api) would need BinaryMediaTypes or it mangles WoH bodies.
	if Get(tmpl, "Globals", "Api") != nil {
		t.Error("Globals.Api: the front door is an HTTP API; a REST API's settings here mean a route went back to Type: Api")
	}
	if n := Get(tmpl, "Parameters", "GripUrl", "NoEcho"); n == nil || n.Value != "true" {
		t.Error("Parameters.GripUrl must be NoEcho")
	}
	// GRIP_URL is declared, empty, so that sam local's --env-vars may set it;
	// a deployed value would hold keys in plain text: use the secret.
	if n := Get(tmpl, "Globals", "Function", "Environment", "Variables", "GRIP_URL"); n == nil || n.Value != "" || n.Tag != "!!str" {
		t.Error(`Globals.Function.Environment.Variables.GRIP_URL: want "" (declared for sam local, never a value: it holds keys)`)
	}
}

func TestTemplateRoutes(t *testing.T) {
	tmpl, err := LoadTemplate()
	if err != nil {
		t.Fatal(err)
	}
	routes := map[string]string{} // "GET /chat" -> function
	sqs := 0
	for _, fn := range Functions(tmpl) {
		evs := Get(fn.Node, "Properties", "Events")
		if evs == nil {
			continue
		}
		for i := 1; i < len(evs.Content); i += 2 {
			ev := evs.Content[i]
			switch Get(ev, "Type").Value {
			case "Api":
				t.Errorf("%s: event of Type Api (REST API, $3.50 per million): the front door is an HTTP API (Type: HttpApi)", fn.LogicalID)
			case "HttpApi":
				key := strings.ToUpper(Get(ev, "Properties", "Method").Value) + " " + Get(ev, "Properties", "Path").Value
				routes[key] = fn.LogicalID
			case "SQS":
				sqs++
				frt := Get(ev, "Properties", "FunctionResponseTypes")
				if frt == nil || len(frt.Content) == 0 || frt.Content[0].Value != "ReportBatchItemFailures" {
					t.Errorf("%s: SQS event needs FunctionResponseTypes [ReportBatchItemFailures]", fn.LogicalID)
				}
			}
		}
	}
	for route, fn := range map[string]string{
		"GET /chat": "ChatFunction", "POST /chat": "ChatFunction",
		"GET /stream": "StreamFunction", "GET /longpoll": "LongpollFunction",
	} {
		if routes[route] != fn {
			t.Errorf("route %s: want %s, got %q", route, fn, routes[route])
		}
	}
	if sqs == 0 {
		t.Error("no SQS event source for the publish function")
	}
	if Get(tmpl, "Resources", "PublishQueue", "Properties", "RedrivePolicy", "deadLetterTargetArn") == nil {
		t.Error("PublishQueue needs a RedrivePolicy to a dead-letter queue")
	}
	for _, out := range []string{"ApiDomain", "ApiUrl", "ChatUrl", "StreamUrl", "LongpollUrl", "PublishQueueUrl"} {
		if Get(tmpl, "Outputs", out) == nil {
			t.Errorf("Outputs.%s missing", out)
		}
	}
}

func TestSamconfig(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(Root(), "samconfig.toml"))
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	if !regexp.MustCompile(`(?m)^version = 0\.1$`).MatchString(s) {
		t.Error("samconfig.toml: want version = 0.1 (a float, as sam writes it)")
	}
	if regexp.MustCompile(`(?m)^\s*cached\s*=\s*true`).MatchString(s) {
		t.Error("samconfig.toml: cached = true makes sam build miss edits to internal/")
	}
	if regexp.MustCompile(`(?im)parameter_overrides.*(key|secret|token|GripUrl)`).MatchString(s) {
		t.Error("samconfig.toml: no secrets in parameter_overrides")
	}
	for _, section := range []string{"[default.deploy.parameters]", "[default.build.parameters]", "[default.validate.parameters]", "[default.local_invoke.parameters]"} {
		if !strings.Contains(s, section) {
			t.Errorf("samconfig.toml: missing %s", section)
		}
	}
}
