package samcheck

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/faas-grip/faas-grip-go/tools/template"
)

func TestTemplateGlobals(t *testing.T) {
	tmpl, err := LoadTemplate()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"Runtime": "provided.al2023", "Handler": "bootstrap", "MemorySize": "128",
		// One go.mod at the root: every function builds from it, so a fork adds no CodeUri.
		"CodeUri": ".",
	}
	for key, v := range want {
		if n := tmpl.Raw("Globals", "Function", key); n == nil || n.Value != v {
			t.Errorf("Globals.Function.%s: want %s", key, v)
		}
	}
	if n := tmpl.Raw("Globals", "Function", "Architectures"); n == nil || len(n.Content) != 1 || n.Content[0].Value != "arm64" {
		t.Error("Globals.Function.Architectures: want [arm64]")
	}
	if n := tmpl.Raw("Globals", "Function", "LoggingConfig", "LogFormat"); n == nil || n.Value != "JSON" {
		t.Error("Globals.Function.LoggingConfig.LogFormat: want JSON")
	}
	// A REST API (Type: Api) would need BinaryMediaTypes or it mangles WoH bodies.
	if tmpl.Raw("Globals", "Api") != nil {
		t.Error("Globals.Api: the front door is an HTTP API; a REST API's settings here mean a route went back to Type: Api")
	}
	if n := tmpl.Raw("Parameters", "GripUrl", "NoEcho"); n == nil || n.Value != "true" {
		t.Error("Parameters.GripUrl must be NoEcho")
	}
	// GRIP_URL is declared, empty, so that sam local's --env-vars may set it;
	// a deployed value would hold keys in plain text: use the secret.
	if n := tmpl.Raw("Globals", "Function", "Environment", "Variables", "GRIP_URL"); n == nil || n.Value != "" || n.Tag != "!!str" {
		t.Error(`Globals.Function.Environment.Variables.GRIP_URL: want "" (declared for sam local, never a value: it holds keys)`)
	}
	// Each function takes CodeUri from Globals: one of its own would be a
	// second place to keep (and a forked block would copy it).
	for _, fn := range tmpl.Functions {
		if Lookup(fn.Properties, "CodeUri") != nil {
			t.Errorf("%s: CodeUri set on the function; it belongs in Globals.Function", fn.LogicalID)
		}
	}
}

// sampleRoutes are the routes of the samples, each checked while its
// function is in the template (a deleted sample is skipped, not failed).
var sampleRoutes = map[string][]string{
	"ChatFunction":     {"GET /chat", "POST /chat"},
	"StreamFunction":   {"GET /stream"},
	"LongpollFunction": {"GET /longpoll"},
}

// sampleOutputs are the outputs that name a sample's URL or queue.
var sampleOutputs = map[string][]string{
	"ChatFunction":     {"ChatUrl"},
	"StreamFunction":   {"StreamUrl"},
	"LongpollFunction": {"LongpollUrl"},
	"PublishFunction":  {"PublishQueueUrl"},
}

func TestTemplateRoutes(t *testing.T) {
	tmpl, err := LoadTemplate()
	if err != nil {
		t.Fatal(err)
	}
	routes := map[string]string{} // "GET /chat" -> function
	for _, fn := range tmpl.Functions {
		for _, ev := range fn.APIEvents {
			if ev.Kind == template.KindRestAPI {
				t.Errorf("%s: event of Type Api (REST API, $3.50 per million): the front door is an HTTP API (Type: HttpApi)", fn.LogicalID)
				continue
			}
			key := ev.Method + " " + ev.Path
			if other, ok := routes[key]; ok {
				t.Errorf("route %s: served by both %s and %s", key, other, fn.LogicalID)
			}
			routes[key] = fn.LogicalID
		}
		for _, ev := range fn.SQSEvents {
			if !ev.ReportBatchItemFailures {
				t.Errorf("%s: SQS event %s needs FunctionResponseTypes [ReportBatchItemFailures]", fn.LogicalID, ev.Name)
			}
			q, err := ev.LocalQueue()
			if err != nil {
				t.Errorf("%s: SQS event %s: %v", fn.LogicalID, ev.Name, err)
				continue
			}
			if i := slices.IndexFunc(tmpl.Queues, func(x template.Queue) bool { return x.LogicalID == q }); i < 0 || tmpl.Queues[i].DeadLetterQueue == "" {
				t.Errorf("%s: queue %s needs a RedrivePolicy to a dead-letter queue", fn.LogicalID, q)
			}
		}
	}
	for fn, want := range sampleRoutes {
		if _, ok := tmpl.Function(fn); !ok {
			t.Logf("%s is not in template.yaml: its routes are not checked", fn)
			continue
		}
		for _, route := range want {
			if routes[route] != fn {
				t.Errorf("route %s: want %s, got %q", route, fn, routes[route])
			}
		}
	}
	if fn, ok := tmpl.Function("PublishFunction"); ok && len(fn.SQSEvents) == 0 {
		t.Error("no SQS event source for the publish function")
	}
	outputs := []string{"ApiDomain", "ApiUrl"}
	for fn, outs := range sampleOutputs {
		if _, ok := tmpl.Function(fn); ok {
			outputs = append(outputs, outs...)
		}
	}
	for _, out := range outputs {
		if tmpl.Raw("Outputs", out) == nil {
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
	// An ARN names a secret without holding it: the pipeline's environments give the GRIP secrets' ARNs.
	arns := regexp.MustCompile(`\b(GripUrlSecretArn|GripVerifyUrlSecretArn)=arn:[^\s"]+`)
	if regexp.MustCompile(`(?im)parameter_overrides.*(key|secret|token|GripUrl)`).MatchString(arns.ReplaceAllString(s, "")) {
		t.Error("samconfig.toml: no secrets in parameter_overrides")
	}
	for _, section := range []string{"[default.deploy.parameters]", "[default.build.parameters]", "[default.validate.parameters]", "[default.local_invoke.parameters]"} {
		if !strings.Contains(s, section) {
			t.Errorf("samconfig.toml: missing %s", section)
		}
	}
}
