package template

import (
	"errors"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

func TestParseIntrinsicsAndGlobals(t *testing.T) {
	tpl, err := Load(filepath.Join("testdata", "intrinsics.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if got := len(tpl.Functions); got != 2 {
		t.Fatalf("got %d functions, want 2", got)
	}

	wantTypes := []string{"application/octet-stream", "application/websocket-events", "image/*"}
	if !reflect.DeepEqual(tpl.BinaryMediaTypes, wantTypes) {
		t.Errorf("BinaryMediaTypes = %q, want %q", tpl.BinaryMediaTypes, wantTypes)
	}

	alpha, ok := tpl.Function("Alpha")
	if !ok {
		t.Fatal("Alpha not found")
	}
	if alpha.Timeout != 30*time.Second || alpha.MemorySize != 256 {
		t.Errorf("Timeout, MemorySize = %v, %d; want 30s, 256", alpha.Timeout, alpha.MemorySize)
	}
	if alpha.BuildMethod != "makefile" || alpha.CodeURI != "." || alpha.Handler != "bootstrap" ||
		alpha.Runtime != "provided.al2023" || alpha.FunctionName != "Alpha" || alpha.LogFormat != "JSON" || alpha.LogLevel != "WARN" {
		t.Errorf("unexpected properties: %+v", alpha)
	}
	wantEnv := map[string]string{
		"OVERRIDDEN": "own",
		"PREFIX":     "dev-",
		"EMPTY":      "",
		"SECRET":     "Secret", // sam local: a resource's !Ref is its logical id
		"ARN":        "",       // and a !GetAtt stays unresolved: ""
		"ARN_LIST":   "",
		"SUB":        "", // ${Queue.Arn} is a !GetAtt
		"SUB_LIST":   "one-dev-",
		"LONG":       "123456789012",
		"LONG_REF":   "dev-",
		"JOIN":       "a,dev-,c",
		"NUMBER":     "42",
	}
	if !reflect.DeepEqual(alpha.Environment, wantEnv) {
		t.Errorf("Environment =\n%v\nwant\n%v", alpha.Environment, wantEnv)
	}
	wantAPI := []APIEvent{
		{Name: "Any", Kind: KindRestAPI, Path: "/anything/{proxy+}", Method: "ANY", PayloadFormatVersion: "1.0"},
		{Name: "Get", Kind: KindRestAPI, Path: "/items/{id}", Method: "GET", PayloadFormatVersion: "1.0"},
	}
	if !reflect.DeepEqual(alpha.APIEvents, wantAPI) {
		t.Errorf("APIEvents = %+v, want %+v", alpha.APIEvents, wantAPI)
	}
	wantSQS := []SQSEvent{{Name: "Messages", Queue: "local-Queue", BatchSize: 10, QueueID: "Queue", Enabled: true}}
	if !reflect.DeepEqual(alpha.SQSEvents, wantSQS) {
		t.Errorf("SQSEvents = %+v, want %+v", alpha.SQSEvents, wantSQS)
	}

	beta, _ := tpl.Function("Beta")
	if beta.FunctionName != "beta-fn" || beta.Timeout != 10*time.Second || beta.Runtime != "go1.x" ||
		beta.CodeURI != "functions/beta/" || beta.Environment["NAME"] != "beta" || beta.Environment["SHARED"] != "global" {
		t.Errorf("unexpected Beta: %+v", beta)
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct {
		name, yaml string
		check      func(error) bool
	}{
		{
			name: "unsupported intrinsic outside the environment",
			yaml: "Resources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties:\n      Timeout: !If [c, 1, 2]\n",
			check: func(err error) bool {
				var e *UnsupportedIntrinsicError
				return errors.As(err, &e) && e.Name == "!If"
			},
		},
		{
			name: "unknown reference",
			yaml: fnWithEnv("X: !Ref Nope"),
			check: func(err error) bool {
				var e *UnknownReferenceError
				return errors.As(err, &e) && e.Name == "Nope"
			},
		},
		{
			name: "unknown sub reference",
			yaml: fnWithEnv(`X: !Sub "${Nope.Arn}"`),
			check: func(err error) bool {
				var e *UnknownReferenceError
				return errors.As(err, &e) && e.Name == "Nope"
			},
		},
		{
			name:  "list as a string",
			yaml:  "Resources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: [a, b]\n",
			check: func(err error) bool { return errors.Is(err, errNotString) },
		},
		{
			name: "bad payload format version",
			yaml: "Resources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties:\n      Events:\n        E:\n          Type: HttpApi\n          Properties: {Path: /a, Method: get, PayloadFormatVersion: \"3.0\"}\n",
			check: func(err error) bool {
				var e *FieldError
				return errors.As(err, &e) && e.Path == "Resources.F.Properties.Events.E.Properties.PayloadFormatVersion"
			},
		},
		{
			name: "bad timeout",
			yaml: "Resources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties:\n      Timeout: soon\n",
			check: func(err error) bool {
				var e *FieldError
				return errors.As(err, &e) && e.Path == "Resources.F.Properties.Timeout"
			},
		},
		{
			name: "relative api path",
			yaml: "Resources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties:\n      Events:\n        E:\n          Type: Api\n          Properties: {Path: chat, Method: get}\n",
			check: func(err error) bool {
				var e *FieldError
				return errors.As(err, &e)
			},
		},
		{
			name:  "not yaml",
			yaml:  "Resources: [",
			check: func(err error) bool { return err != nil },
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.yaml))
			if err == nil || !tc.check(err) {
				t.Fatalf("Parse: got error %v", err)
			}
		})
	}
}

func fnWithEnv(vars string) string {
	return "Resources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties:\n      Environment:\n        Variables:\n          " + vars + "\n"
}

// The repository's own template must stay readable by the local tooling.
func TestRepositoryTemplate(t *testing.T) {
	// The root is two folders up; a skip when it is missing hid a wrong path.
	tpl, err := Load(filepath.Join("..", "..", "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(tpl.Functions) == 0 {
		t.Fatal("no functions")
	}
	for _, fn := range tpl.Functions {
		if fn.BuildMethod != "makefile" {
			t.Errorf("%s: BuildMethod %q, want makefile", fn.LogicalID, fn.BuildMethod)
		}
		if fn.Timeout <= 0 || fn.MemorySize <= 0 {
			t.Errorf("%s: Timeout %v, MemorySize %d", fn.LogicalID, fn.Timeout, fn.MemorySize)
		}
		if len(fn.APIEvents) == 0 && len(fn.SQSEvents) == 0 {
			t.Logf("%s has no Api or SQS events", fn.LogicalID)
		}
	}
	// A REST API needs the WoH media type as binary; an HTTP API does not.
	rest := false
	for _, fn := range tpl.Functions {
		for _, ev := range fn.APIEvents {
			rest = rest || ev.Kind == KindRestAPI
		}
	}
	found := false
	for _, mt := range tpl.BinaryMediaTypes {
		found = found || mt == "application/websocket-events"
	}
	if rest && !found {
		t.Errorf("BinaryMediaTypes %q lack application/websocket-events", tpl.BinaryMediaTypes)
	}
}
