package samcheck

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/faas-grip/faas-grip-go/tools/template"
)

// cfnTemplate is the CloudFormation that `sam deploy` sends, as the real SAM
// translator (samtranslator, shipped with cfn-lint) writes it.
type cfnTemplate struct {
	Parameters map[string]any         `json:"Parameters"`
	Conditions map[string]any         `json:"Conditions"`
	Resources  map[string]cfnResource `json:"Resources"`
	Outputs    map[string]struct {
		Value any `json:"Value"`
	} `json:"Outputs"`
}

type cfnResource struct {
	Type           string         `json:"Type"`
	Condition      string         `json:"Condition"`
	DeletionPolicy string         `json:"DeletionPolicy"`
	Properties     map[string]any `json:"Properties"`
}

// translate returns the translation of template.yaml, made once per test
// run by testdata/translate.py, offline.
func translate(t *testing.T) *cfnTemplate {
	t.Helper()
	cfn, err := translation()
	if err != nil {
		t.Fatal(err)
	}
	return cfn
}

var translation = sync.OnceValues(func() (*cfnTemplate, error) {
	if _, err := exec.LookPath("python3"); err != nil {
		return nil, fmt.Errorf("python3 is needed to run the SAM translator (it ships with cfn-lint): %w", err)
	}
	cmd := exec.Command("python3", filepath.Join("testdata", "translate.py"), filepath.Join(Root(), "template.yaml"))
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return nil, fmt.Errorf("SAM translator: %w\n%s", err, ee.Stderr)
		}
		return nil, fmt.Errorf("SAM translator: %w", err)
	}
	var cfn cfnTemplate
	if err := json.Unmarshal(out, &cfn); err != nil {
		return nil, fmt.Errorf("SAM translator output: %w", err)
	}
	return &cfn, nil
})

// declaredEnv is what template.yaml declares for a function: Globals first,
// then its own variables, as SAM merges them.
func declaredEnv(tmpl *template.Template, fn *template.Function) map[string]bool {
	names := map[string]bool{}
	for _, vars := range []*yaml.Node{tmpl.Raw("Globals", "Function", "Environment", "Variables"), Lookup(fn.Properties, "Environment", "Variables")} {
		for _, name := range template.Keys(vars) {
			names[name] = true
		}
	}
	return names
}

func TestTranslatedFunctions(t *testing.T) {
	cfn := translate(t)
	tmpl, err := LoadTemplate()
	if err != nil {
		t.Fatal(err)
	}
	if len(tmpl.Functions) == 0 {
		t.Fatal("template.yaml has no functions")
	}
	for _, fn := range tmpl.Functions {
		t.Run(fn.LogicalID, func(t *testing.T) {
			res, ok := cfn.Resources[fn.LogicalID]
			if !ok || res.Type != "AWS::Lambda::Function" {
				t.Fatalf("no AWS::Lambda::Function %s in the translation", fn.LogicalID)
			}
			p := res.Properties
			if p["Runtime"] != "provided.al2023" || p["Handler"] != "bootstrap" {
				t.Errorf("Runtime %v Handler %v, want provided.al2023 and bootstrap", p["Runtime"], p["Handler"])
			}
			if archs, _ := p["Architectures"].([]any); len(archs) != 1 || archs[0] != "arm64" {
				t.Errorf("Architectures %v, want [arm64]", p["Architectures"])
			}

			env := mapAt(p, "Environment", "Variables")
			got := slices.Sorted(maps.Keys(env))
			want := slices.Sorted(maps.Keys(declaredEnv(tmpl, &fn)))
			if !slices.Equal(got, want) {
				t.Errorf("environment %v, want the declared %v", got, want)
			}
			// Declared for sam local only: a deployed value would hold keys in plain text.
			if v, ok := env["GRIP_URL"]; !ok || v != "" {
				t.Errorf("GRIP_URL = %#v, want \"\" (declared, never set when deployed)", v)
			}
			for name, v := range env {
				for _, noEcho := range []string{"GripUrl", "GripVerifyUrl", "ClientTokenSecret"} {
					if refersTo(v, noEcho) {
						t.Errorf("%s refers to the %s parameter: NoEcho values end up in plain text in the environment", name, noEcho)
					}
				}
			}
			secret := secretOf(env)
			if secret != "GripUrlSecret" && secret != "GripVerifySecret" {
				t.Errorf("GRIP_URL_SECRET_ARN = %v, want a Ref to GripUrlSecret (publishes) or GripVerifySecret (only verifies)", env["GRIP_URL_SECRET_ARN"])
			}
			if want, ok := sampleSecrets[fn.LogicalID]; ok && secret != want {
				t.Errorf("reads %s, want %s", secret, want)
			}
			if n := p["ReservedConcurrentExecutions"]; n == nil {
				t.Error("no ReservedConcurrentExecutions: the ReservedConcurrency parameter must reach every function")
			}
			logs := mapAt(p, "LoggingConfig")
			group, _ := logs["LogGroup"].(map[string]any)
			ref, _ := group["Ref"].(string)
			lg, ok := cfn.Resources[ref]
			if logs["LogFormat"] != "JSON" || !ok || lg.Type != "AWS::Logs::LogGroup" || !refersTo(lg.Properties["RetentionInDays"], "LogRetentionDays") {
				t.Errorf("LoggingConfig %v: want JSON logs in a log group whose retention is the LogRetentionDays parameter", logs)
			}
			if !refersTo(logs["ApplicationLogLevel"], "ApplicationLogLevel") {
				t.Errorf("LoggingConfig.ApplicationLogLevel = %v, want a Ref to the ApplicationLogLevel parameter", logs["ApplicationLogLevel"])
			}
		})
	}
}

// TestTranslatedHTTPAPI checks the front door CloudFormation receives: one
// HTTP API, $default stage deployed automatically, a payload 2.0 Lambda
// proxy route for each HttpApi event of template.yaml and nothing else, and
// the permission for API Gateway to invoke each function.
func TestTranslatedHTTPAPI(t *testing.T) {
	cfn := translate(t)
	tmpl, err := LoadTemplate()
	if err != nil {
		t.Fatal(err)
	}

	api, ok := cfn.Resources["ServerlessHttpApi"]
	if !ok || api.Type != "AWS::ApiGatewayV2::Api" {
		t.Fatal("no implicit HTTP API (ServerlessHttpApi) in the translation")
	}
	for id, r := range cfn.Resources {
		if r.Type == "AWS::ApiGateway::RestApi" {
			t.Errorf("%s: a REST API in the translation; the front door is an HTTP API", id)
		}
	}
	stage := cfn.Resources["ServerlessHttpApiApiGatewayDefaultStage"]
	if stage.Properties["StageName"] != "$default" || stage.Properties["AutoDeploy"] != true {
		t.Errorf("stage %v, want $default with AutoDeploy", stage.Properties)
	}

	want := map[string]string{} // "get /chat" -> function
	for _, fn := range tmpl.Functions {
		for _, ev := range fn.APIEvents {
			if ev.Kind == template.KindHTTPAPI {
				want[strings.ToLower(ev.Method)+" "+ev.Path] = fn.LogicalID
			}
		}
	}
	got := map[string]string{}
	for path, ops := range mapAt(api.Properties, "Body", "paths") {
		for method, op := range ops.(map[string]any) {
			integ := mapAt(op.(map[string]any), "x-amazon-apigateway-integration")
			if integ["type"] != "aws_proxy" || integ["payloadFormatVersion"] != "2.0" {
				t.Errorf("%s %s: integration %v, want aws_proxy with payload format 2.0", method, path, integ)
			}
			uri, _ := json.Marshal(integ["uri"])
			m := regexp.MustCompile(`\$\{(\w+)\.Arn\}`).FindStringSubmatch(string(uri))
			if m == nil {
				t.Errorf("%s %s: integration uri %s names no function", method, path, uri)
				continue
			}
			got[method+" "+path] = m[1]
		}
	}
	if !maps.Equal(got, want) {
		t.Errorf("routes %v, want %v (the HttpApi events of template.yaml)", got, want)
	}

	permitted := map[string]int{}
	for _, r := range cfn.Resources {
		if r.Type == "AWS::Lambda::Permission" && r.Properties["Principal"] == "apigateway.amazonaws.com" {
			if ref, ok := r.Properties["FunctionName"].(map[string]any); ok {
				permitted[ref["Ref"].(string)]++
			}
		}
	}
	for _, fn := range want {
		if permitted[fn] == 0 {
			t.Errorf("%s: no permission for API Gateway to invoke it", fn)
		}
	}
}

// TestTranslatedOutputs checks that every name an output substitutes exists
// in what CloudFormation receives (a renamed API would fail the deploy).
func TestTranslatedOutputs(t *testing.T) {
	cfn := translate(t)
	if len(cfn.Outputs) == 0 {
		t.Fatal("no outputs")
	}
	names := regexp.MustCompile(`\$\{([A-Za-z0-9:]+)(\.[A-Za-z]+)?\}`)
	for name, out := range cfn.Outputs {
		raw, _ := json.Marshal(out.Value)
		for _, m := range names.FindAllStringSubmatch(string(raw), -1) {
			ref := m[1]
			if strings.HasPrefix(ref, "AWS::") {
				continue
			}
			if _, ok := cfn.Resources[ref]; !ok {
				if _, ok := cfn.Parameters[ref]; !ok {
					t.Errorf("output %s substitutes ${%s}, which the translated template does not have", name, ref)
				}
			}
		}
		var ref struct{ Ref string }
		if json.Unmarshal(raw, &ref) == nil && ref.Ref != "" {
			if _, ok := cfn.Resources[ref.Ref]; !ok {
				t.Errorf("output %s refers to %s, which the translated template does not have", name, ref.Ref)
			}
		}
	}
	if v, _ := json.Marshal(cfn.Outputs["ApiUrl"].Value); !strings.Contains(string(v), "${ServerlessHttpApi}") || strings.Contains(string(v), "/Prod") {
		t.Errorf("ApiUrl %s: want the HTTP API's URL, without a stage", v)
	}
}

// sampleSecrets is the secret each sample reads: the functions that only
// verify Grip-Sig never see the publish credential.
var sampleSecrets = map[string]string{
	"ChatFunction":     "GripUrlSecret",
	"StreamFunction":   "GripVerifySecret",
	"LongpollFunction": "GripVerifySecret",
	"PublishFunction":  "GripUrlSecret",
}

// secretOf is the secret a function's GRIP_URL_SECRET_ARN names.
func secretOf(env map[string]any) string {
	ref, _ := ownSecret(env["GRIP_URL_SECRET_ARN"]).(map[string]any)
	s, _ := ref["Ref"].(string)
	return s
}

// samplePolicies is every permission each sample function's role grants
// (beyond the managed execution roles): exactly what its code uses.
var samplePolicies = map[string][]string{
	"ChatFunction": {
		// History on: an append as the publish function's, a replay as the long-poll's.
		"dynamodb:GetItem HistoryTable.Arn if ChatHistoryOn",
		"dynamodb:PutItem HistoryTable.Arn if ChatHistoryOn",
		"dynamodb:Query HistoryTable.Arn if ChatHistoryOn",
		"dynamodb:UpdateItem HistoryTable.Arn if ChatHistoryOn",
		"secretsmanager:GetSecretValue ClientTokenSecretStore if HasClientTokenSecret",
		"secretsmanager:GetSecretValue GripUrlSecret",
	},
	"StreamFunction": {
		"dynamodb:GetItem HistoryTable.Arn",
		"dynamodb:Query HistoryTable.Arn",
		"secretsmanager:GetSecretValue ClientTokenSecretStore if HasClientTokenSecret",
		"secretsmanager:GetSecretValue GripVerifySecret",
	},
	"LongpollFunction": {
		"dynamodb:GetItem HistoryTable.Arn",
		"dynamodb:Query HistoryTable.Arn",
		"secretsmanager:GetSecretValue ClientTokenSecretStore if HasClientTokenSecret",
		"secretsmanager:GetSecretValue GripVerifySecret",
	},
	"PublishFunction": {
		"dynamodb:GetItem HistoryTable.Arn",
		"dynamodb:PutItem HistoryTable.Arn",
		"dynamodb:UpdateItem HistoryTable.Arn",
		"secretsmanager:GetSecretValue GripUrlSecret",
	},
}

// TestTranslatedPolicies lists what each function's role may do, as
// CloudFormation receives it (SAM's policy templates expanded).
func TestTranslatedPolicies(t *testing.T) {
	cfn := translate(t)
	tmpl, err := LoadTemplate()
	if err != nil {
		t.Fatal(err)
	}
	for _, fn := range tmpl.Functions {
		t.Run(fn.LogicalID, func(t *testing.T) {
			role, ok := cfn.Resources[fn.LogicalID+"Role"]
			if !ok {
				t.Fatalf("no role %sRole in the translation", fn.LogicalID)
			}
			var grants []string
			policies, _ := role.Properties["Policies"].([]any)
			for _, p := range policies {
				policy, when := conditional(p.(map[string]any))
				stmts, _ := mapAt(policy, "PolicyDocument")["Statement"].([]any)
				for _, st := range stmts {
					st := st.(map[string]any)
					if st["Effect"] != "Allow" {
						continue
					}
					for _, action := range asList(st["Action"]) {
						for _, res := range asList(st["Resource"]) {
							grants = append(grants, action.(string)+" "+describe(res)+when)
						}
					}
				}
			}
			slices.Sort(grants)
			// The function reads the secret its environment names, and no other.
			env := mapAt(cfn.Resources[fn.LogicalID].Properties, "Environment", "Variables")
			// The client tokens' secret is read under the condition that creates it.
			readable := map[string]bool{"secretsmanager:GetSecretValue " + secretOf(env): true}
			if tokenSecret, when := conditional(asMap(env["CLIENT_TOKEN_SECRET_ARN"])); when != "" {
				readable["secretsmanager:GetSecretValue "+describe(tokenSecret)+when] = true
			}
			for _, g := range grants {
				if strings.HasPrefix(g, "secretsmanager:") && !readable[g] {
					t.Errorf("grant %q: the function reads only %v", g, slices.Sorted(maps.Keys(readable)))
				}
			}
			for _, g := range grants {
				if strings.Contains(g, "*") && !strings.HasSuffix(g, "/index/*") {
					t.Errorf("wildcard grant %q", g)
				}
			}
			want, ok := samplePolicies[fn.LogicalID]
			if !ok {
				t.Logf("not a sample function: only wildcards checked; grants %q", grants)
				return
			}
			if !slices.Equal(grants, want) {
				t.Errorf("grants\n%s\nwant\n%s", strings.Join(grants, "\n"), strings.Join(want, "\n"))
			}
		})
	}
}

// describe renders a policy resource readably: {"Ref": X} as X, GetAtt as
// X.Arn, Fn::Sub with its variables substituted, a GRIP secret as the
// stack's own (ownSecret).
func describe(v any) string {
	switch v := ownSecret(v).(type) {
	case string:
		return v
	case map[string]any:
		if ref, ok := v["Ref"].(string); ok {
			return ref
		}
		if ga, ok := v["Fn::GetAtt"].([]any); ok && len(ga) == 2 {
			return fmt.Sprint(ga[0], ".", ga[1])
		}
		if sub, ok := v["Fn::Sub"].([]any); ok && len(sub) == 2 {
			s, _ := sub[0].(string)
			vars, _ := sub[1].(map[string]any)
			for name, val := range vars {
				s = strings.ReplaceAll(s, "${"+name+"}", describe(val))
			}
			return s
		}
		if sub, ok := v["Fn::Sub"].(string); ok {
			return sub
		}
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// asList is a policy field that may be one value or a list.
// conditional unwraps {"Fn::If": [cond, value, {"Ref": "AWS::NoValue"}]}
// into value and " if cond"; anything else is itself and "".
func conditional(m map[string]any) (map[string]any, string) {
	branches, ok := m["Fn::If"].([]any)
	if !ok || len(branches) != 3 {
		return m, ""
	}
	cond, _ := branches[0].(string)
	return asMap(branches[1]), " if " + cond
}

func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

func asList(v any) []any {
	if l, ok := v.([]any); ok {
		return l
	}
	return []any{v}
}

// mapAt walks nested JSON objects; a missing key gives nil.
func mapAt(m map[string]any, keys ...string) map[string]any {
	for _, k := range keys {
		next, _ := m[k].(map[string]any)
		m = next
	}
	return m
}

// refersTo reports whether a CloudFormation value is {"Ref": name}.
func refersTo(v any, name string) bool {
	m, ok := v.(map[string]any)
	return ok && m["Ref"] == name
}

// TestTranslatedBoundsAndRest checks what bounds the cost strangers can cause
// and how data rests, as CloudFormation receives it: API throttling from the
// parameters, queues and table encrypted explicitly, and an alarm (with an
// optional e-mail) on the dead-letter queue.
func TestTranslatedBoundsAndRest(t *testing.T) {
	cfn := translate(t)
	stage := cfn.Resources["ServerlessHttpApiApiGatewayDefaultStage"].Properties
	throttle := mapAt(stage, "DefaultRouteSettings")
	if !refersTo(throttle["ThrottlingBurstLimit"], "ApiThrottlingBurstLimit") || !refersTo(throttle["ThrottlingRateLimit"], "ApiThrottlingRateLimit") {
		t.Errorf("stage DefaultRouteSettings %v: want throttling from the ApiThrottling* parameters", throttle)
	}
	for _, name := range []string{"ApiThrottlingBurstLimit", "ApiThrottlingRateLimit", "ReservedConcurrency", "LogRetentionDays", "AlarmEmail"} {
		if _, ok := cfn.Parameters[name]; !ok {
			t.Errorf("no parameter %s", name)
		}
	}

	queues, tables, alarmed := 0, 0, false
	for id, r := range cfn.Resources {
		switch r.Type {
		case "AWS::SQS::Queue":
			queues++
			if r.Properties["SqsManagedSseEnabled"] != true && r.Properties["KmsMasterKeyId"] == nil {
				t.Errorf("queue %s: encryption not set explicitly", id)
			}
		case "AWS::DynamoDB::Table":
			tables++
			if mapAt(r.Properties, "SSESpecification")["SSEEnabled"] != true {
				t.Errorf("table %s: encryption not set explicitly", id)
			}
		case "AWS::CloudWatch::Alarm":
			dims, _ := json.Marshal(r.Properties["Dimensions"])
			if r.Properties["MetricName"] == "ApproximateNumberOfMessagesVisible" && strings.Contains(string(dims), "PublishDeadLetterQueue") {
				alarmed = true
				actions, _ := json.Marshal(r.Properties["AlarmActions"])
				if !strings.Contains(string(actions), "HasAlarmEmail") {
					t.Errorf("alarm %s: actions %s, want the e-mail topic when AlarmEmail is set", id, actions)
				}
			}
		}
	}
	if queues == 0 || tables == 0 {
		t.Errorf("%d queues, %d tables: the checks above saw nothing", queues, tables)
	}
	if !alarmed {
		t.Error("no alarm on the dead-letter queue's visible messages")
	}
}

// TestTranslatedAlarms checks the alarms CloudFormation receives: each
// function of template.yaml (a fork's included) has an alarm on its Errors
// and one on its Throttles, the HTTP API one on its 5xx answers, and every
// alarm names a resource of the template and tells the e-mail topic, only
// when AlarmEmail is set (the topic exists only then).
func TestTranslatedAlarms(t *testing.T) {
	cfn := translate(t)
	tmpl, err := LoadTemplate()
	if err != nil {
		t.Fatal(err)
	}
	topic, ok := cfn.Resources["AlarmTopic"]
	if !ok || topic.Type != "AWS::SNS::Topic" {
		t.Fatal("no AlarmTopic (AWS::SNS::Topic) for the alarms to tell")
	}
	if topic.Condition != "HasAlarmEmail" {
		t.Errorf("AlarmTopic has condition %q, want HasAlarmEmail", topic.Condition)
	}

	// alarmed[namespace+" "+metric+" "+resource]: an alarm on that metric of that resource.
	alarmed := map[string]bool{}
	for id, r := range cfn.Resources {
		if r.Type != "AWS::CloudWatch::Alarm" {
			continue
		}
		p := r.Properties
		if p["AlarmDescription"] == nil {
			t.Errorf("alarm %s: no AlarmDescription: the e-mail would not say what fired", id)
		}
		dims, _ := p["Dimensions"].([]any)
		if len(dims) == 0 {
			t.Errorf("alarm %s: no dimension: it would watch the whole account's %v", id, p["MetricName"])
		}
		for _, d := range dims {
			target := referenced(asMap(d)["Value"])
			if _, ok := cfn.Resources[target]; !ok {
				t.Errorf("alarm %s: dimension %v names %q, not a resource of the template", id, d, target)
				continue
			}
			alarmed[fmt.Sprint(p["Namespace"], " ", p["MetricName"], " ", asMap(d)["Name"], "=", target)] = true
		}
		// AlarmActions: {"Fn::If": ["HasAlarmEmail", [{"Ref": "AlarmTopic"}], {"Ref": "AWS::NoValue"}]}
		branches := asList(asMap(p["AlarmActions"])["Fn::If"])
		if len(branches) != 3 || branches[0] != "HasAlarmEmail" || len(asList(branches[1])) != 1 ||
			!refersTo(asList(branches[1])[0], "AlarmTopic") || !refersTo(branches[2], "AWS::NoValue") {
			t.Errorf("alarm %s: AlarmActions %s, want [AlarmTopic] if HasAlarmEmail, else none", id, describe(p["AlarmActions"]))
		}
	}

	want := []string{"AWS/ApiGateway 5xx ApiId=ServerlessHttpApi", "AWS/SQS ApproximateNumberOfMessagesVisible QueueName=PublishDeadLetterQueue"}
	for _, fn := range tmpl.Functions {
		for _, metric := range []string{"Errors", "Throttles"} {
			want = append(want, "AWS/Lambda "+metric+" FunctionName="+fn.LogicalID)
		}
	}
	for _, w := range want {
		if !alarmed[w] {
			t.Errorf("no alarm on %s: add one to template.yaml (a function's: <Name>ErrorsAlarm and <Name>ThrottlesAlarm, as README's Fork a function shows)", w)
		}
	}
}

// referenced is the logical id a Ref or a Fn::GetAtt names, or "".
func referenced(v any) string {
	m := asMap(v)
	if ref, ok := m["Ref"].(string); ok {
		return ref
	}
	if att := asList(m["Fn::GetAtt"]); len(att) > 0 {
		s, _ := att[0].(string)
		return s
	}
	return ""
}
