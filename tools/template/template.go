// Package template reads a SAM template.yaml for every tool of the
// repository: the functions (build method, timeout, memory, environment),
// their API and SQS events, the queues and their redrive policies, the API's
// binary media types, and the template as written (Raw) for checks that look
// at its text rather than its meaning.
//
// It is not a CloudFormation engine. Intrinsic functions are resolved as
// `sam local` resolves them: !Ref to a parameter gives its Default (or the
// value passed in ParseOptions.Parameters), !Ref to a resource its logical id,
// and pseudo parameters such as AWS::Region fixed local values. In an
// environment variable, what sam leaves unresolved (!GetAtt, !If, ...) is "";
// elsewhere !GetAtt gives the placeholder "local-<LogicalId>".
package template

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Template is what a local run needs from a SAM template.
type Template struct {
	// Functions are the AWS::Serverless::Function resources, sorted by logical id.
	Functions []Function
	// BinaryMediaTypes are the REST API's binary media types ("~1" already
	// decoded to "/"), from Globals.Api and every AWS::Serverless::Api.
	BinaryMediaTypes []string
	// Queues are the AWS::SQS::Queue resources, sorted by logical id.
	Queues []Queue

	root *yaml.Node   // the template's top-level mapping, as written
	opts ParseOptions // what it was parsed with (Outputs resolves with them too)
}

// Function is one AWS::Serverless::Function with Globals applied.
type Function struct {
	LogicalID    string
	FunctionName string // Properties.FunctionName, else the logical id (as sam local does)
	BuildMethod  string // Metadata.BuildMethod, e.g. "makefile"
	CodeURI      string
	Handler      string
	Runtime      string
	Timeout      time.Duration
	MemorySize   int // MiB
	// LogFormat is LoggingConfig.LogFormat ("Text" or "JSON"), empty when unset.
	LogFormat string
	// LogLevel is LoggingConfig.ApplicationLogLevel (a Ref resolved to its
	// parameter's default), empty when unset.
	LogLevel string
	// Environment is Globals.Function.Environment merged with the function's own.
	Environment map[string]string
	APIEvents   []APIEvent
	SQSEvents   []SQSEvent
	// Properties is the function's Properties as written, without Globals:
	// for checks of the text itself (walk it with Lookup).
	Properties *yaml.Node
}

// APIEvent is an event of Type Api (a route of a REST API) or Type HttpApi
// (a route of an HTTP API).
type APIEvent struct {
	Name string // the event's key under Events
	// Kind is KindRestAPI or KindHTTPAPI: which front door serves the route,
	// and so which event the function gets.
	Kind APIKind
	// Path is e.g. "/chat" or "/items/{id}"; DefaultRoute ("$default") for
	// an HttpApi event without Path and Method, which catches every request
	// no other route matches.
	Path   string
	Method string // upper case; "ANY" matches every method
	// APIID is the event's ApiId (HttpApi) or RestApiId (Api) as resolved,
	// empty for SAM's implicit API (ServerlessHttpApi, ServerlessRestApi).
	APIID string
	// PayloadFormatVersion is "1.0" for Api events; "2.0" (the default) or
	// "1.0" for HttpApi events.
	PayloadFormatVersion string
}

// APIKind says which kind of API Gateway API a route belongs to.
type APIKind string

const (
	KindRestAPI APIKind = "Api"     // REST API: payload 1.0, served under /<Stage>/
	KindHTTPAPI APIKind = "HttpApi" // HTTP API: payload 2.0 by default, $default stage
)

// DefaultRoute is the Path of an HttpApi event without Path and Method.
const DefaultRoute = "$default"

// SQSEvent is an event of Type SQS.
type SQSEvent struct {
	Name      string
	Queue     string // the queue ARN as resolved locally, e.g. "local-PublishQueue"
	BatchSize int    // 1 to 10000, default 10
	// QueueID is the logical id of the template's queue the event reads,
	// empty when it reads another (see LocalQueue).
	QueueID  string
	queueErr error
	// ReportBatchItemFailures is set when FunctionResponseTypes lists it.
	ReportBatchItemFailures bool
	Enabled                 bool // Properties.Enabled, default true
}

// Lambda's defaults when neither the function nor Globals set a value.
const (
	defaultTimeout    = 3 * time.Second
	defaultMemorySize = 128
)

// Function returns the function with the given logical id.
func (t *Template) Function(logicalID string) (*Function, bool) {
	for i := range t.Functions {
		if t.Functions[i].LogicalID == logicalID {
			return &t.Functions[i], true
		}
	}
	return nil, false
}

// Load reads and parses the template file at path.
func Load(path string) (*Template, error) { return LoadWith(path, ParseOptions{}) }

// LoadWith reads and parses the template file at path with parameter values.
func LoadWith(path string, opts ParseOptions) (*Template, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("template: %w", err)
	}
	t, err := ParseWith(data, opts)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return t, nil
}

// rawTemplate mirrors the template's YAML. Values that may hold intrinsic
// functions stay yaml.Nodes until the resolver has seen them.
type rawTemplate struct {
	Parameters map[string]rawParameter `yaml:"Parameters"`
	Globals    struct {
		Function rawProperties `yaml:"Function"`
		API      struct {
			BinaryMediaTypes yaml.Node `yaml:"BinaryMediaTypes"`
		} `yaml:"Api"`
	} `yaml:"Globals"`
	Resources map[string]rawResource `yaml:"Resources"`
}

type rawParameter struct {
	Default yaml.Node `yaml:"Default"`
}

type rawResource struct {
	Type     string `yaml:"Type"`
	Metadata struct {
		BuildMethod string `yaml:"BuildMethod"`
	} `yaml:"Metadata"`
	Properties yaml.Node `yaml:"Properties"`
}

// rawProperties holds the function properties shared by Globals.Function and
// a function's Properties.
type rawProperties struct {
	FunctionName  yaml.Node `yaml:"FunctionName"`
	CodeURI       yaml.Node `yaml:"CodeUri"`
	Handler       yaml.Node `yaml:"Handler"`
	Runtime       yaml.Node `yaml:"Runtime"`
	Timeout       yaml.Node `yaml:"Timeout"`
	MemorySize    yaml.Node `yaml:"MemorySize"`
	LoggingConfig struct {
		LogFormat           yaml.Node `yaml:"LogFormat"`
		ApplicationLogLevel yaml.Node `yaml:"ApplicationLogLevel"`
	} `yaml:"LoggingConfig"`
	Environment struct {
		Variables map[string]yaml.Node `yaml:"Variables"`
	} `yaml:"Environment"`
	Events           map[string]rawEvent `yaml:"Events"`
	BinaryMediaTypes yaml.Node           `yaml:"BinaryMediaTypes"` // AWS::Serverless::Api only
}

type rawEvent struct {
	Type       string `yaml:"Type"`
	Properties struct {
		Path                  yaml.Node `yaml:"Path"`
		Method                yaml.Node `yaml:"Method"`
		APIID                 yaml.Node `yaml:"ApiId"`     // HttpApi
		RestAPIID             yaml.Node `yaml:"RestApiId"` // Api
		PayloadFormatVersion  yaml.Node `yaml:"PayloadFormatVersion"`
		Queue                 yaml.Node `yaml:"Queue"`
		BatchSize             yaml.Node `yaml:"BatchSize"`
		Enabled               yaml.Node `yaml:"Enabled"`
		FunctionResponseTypes yaml.Node `yaml:"FunctionResponseTypes"`
	} `yaml:"Properties"`
}

// ParseOptions are what `sam local` takes besides the template.
type ParseOptions struct {
	// Parameters are parameter values (sam's --parameter-overrides): a !Ref
	// to one gives this value instead of its Default.
	Parameters map[string]string
}

// Parse parses a SAM template.
func Parse(data []byte) (*Template, error) { return ParseWith(data, ParseOptions{}) }

// ParseWith parses a SAM template with parameter values.
func ParseWith(data []byte, opts ParseOptions) (*Template, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("template: %w", err)
	}
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("template: not a YAML map")
	}
	var raw rawTemplate
	if err := doc.Content[0].Decode(&raw); err != nil {
		return nil, fmt.Errorf("template: %w", err)
	}
	r := newResolver(&raw, opts.Parameters)

	t := &Template{root: doc.Content[0], opts: opts}
	types, err := r.stringList(&raw.Globals.API.BinaryMediaTypes)
	if err != nil {
		return nil, &FieldError{Path: "Globals.Api.BinaryMediaTypes", Err: err}
	}
	t.BinaryMediaTypes = append(t.BinaryMediaTypes, types...)

	ids := make([]string, 0, len(raw.Resources))
	for id := range raw.Resources {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		res := raw.Resources[id]
		switch res.Type {
		case "AWS::Serverless::Function":
			fn, err := parseFunction(r, id, res, &raw.Globals.Function)
			if err != nil {
				return nil, err
			}
			t.Functions = append(t.Functions, fn)
		case "AWS::Serverless::Api":
			var props rawProperties
			if err := res.Properties.Decode(&props); err != nil {
				return nil, &FieldError{Path: "Resources." + id + ".Properties", Err: err}
			}
			types, err := r.stringList(&props.BinaryMediaTypes)
			if err != nil {
				return nil, &FieldError{Path: "Resources." + id + ".Properties.BinaryMediaTypes", Err: err}
			}
			t.BinaryMediaTypes = append(t.BinaryMediaTypes, types...)
		case "AWS::SQS::Queue":
			q, err := parseQueue(r, id, &res.Properties)
			if err != nil {
				return nil, err
			}
			t.Queues = append(t.Queues, q)
		}
	}
	for i, mt := range t.BinaryMediaTypes {
		t.BinaryMediaTypes[i] = decodeMediaType(mt)
	}
	for _, q := range t.Queues {
		if q.DeadLetterQueue != "" && !r.isQueue(q.DeadLetterQueue) {
			return nil, &FieldError{Path: "Resources." + q.LogicalID + ".Properties.RedrivePolicy.deadLetterTargetArn",
				Err: fmt.Errorf("%q is not an AWS::SQS::Queue of this template", q.DeadLetterQueue)}
		}
	}
	slices.Sort(t.BinaryMediaTypes)
	t.BinaryMediaTypes = slices.Compact(t.BinaryMediaTypes)
	return t, nil
}

// decodeMediaType undoes SAM's escaping of media types: "/" is written "~1"
// (and "~" as "~0", decoded last as in JSON Pointer).
func decodeMediaType(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~1", "/"), "~0", "~")
}
