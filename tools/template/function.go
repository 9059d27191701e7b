package template

import (
	"maps"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// parseFunction reads one AWS::Serverless::Function, with globals as defaults.
func parseFunction(r *resolver, id string, res rawResource, globals *rawProperties) (Function, error) {
	at := func(field string) string { return "Resources." + id + ".Properties." + field }

	var props rawProperties
	if err := res.Properties.Decode(&props); err != nil {
		return Function{}, &FieldError{Path: at(""), Err: err}
	}
	fn := Function{
		LogicalID:   id,
		BuildMethod: res.Metadata.BuildMethod,
		Timeout:     defaultTimeout,
		MemorySize:  defaultMemorySize,
		Environment: map[string]string{},
		Properties:  &res.Properties,
	}

	// Each string property: the function's own value, else the global one.
	for _, f := range []struct {
		name        string
		own, global *yaml.Node
		dst         *string
	}{
		{"FunctionName", &props.FunctionName, &globals.FunctionName, &fn.FunctionName},
		{"CodeUri", &props.CodeURI, &globals.CodeURI, &fn.CodeURI},
		{"Handler", &props.Handler, &globals.Handler, &fn.Handler},
		{"Runtime", &props.Runtime, &globals.Runtime, &fn.Runtime},
		{"LoggingConfig.LogFormat", &props.LoggingConfig.LogFormat, &globals.LoggingConfig.LogFormat, &fn.LogFormat},
		{"LoggingConfig.ApplicationLogLevel", &props.LoggingConfig.ApplicationLogLevel, &globals.LoggingConfig.ApplicationLogLevel, &fn.LogLevel},
	} {
		s, err := firstString(r, f.own, f.global)
		if err != nil {
			return Function{}, &FieldError{Path: at(f.name), Err: err}
		}
		*f.dst = s
	}
	if fn.FunctionName == "" {
		fn.FunctionName = id
	}

	if sec, ok, err := firstInt(r, &props.Timeout, &globals.Timeout); err != nil {
		return Function{}, &FieldError{Path: at("Timeout"), Err: err}
	} else if ok {
		fn.Timeout = time.Duration(sec) * time.Second
	}
	if mb, ok, err := firstInt(r, &props.MemorySize, &globals.MemorySize); err != nil {
		return Function{}, &FieldError{Path: at("MemorySize"), Err: err}
	} else if ok {
		fn.MemorySize = mb
	}

	// Globals first, so the function's own variables win.
	for _, vars := range []map[string]yaml.Node{globals.Environment.Variables, props.Environment.Variables} {
		for _, name := range slices.Sorted(maps.Keys(vars)) {
			node := vars[name]
			v, ok, err := r.envStr(&node)
			if err != nil {
				return Function{}, &FieldError{Path: at("Environment.Variables." + name), Err: err}
			}
			if ok {
				fn.Environment[name] = v
			} else {
				delete(fn.Environment, name) // !Ref AWS::NoValue
			}
		}
	}

	if err := parseEvents(r, &fn, props.Events, at); err != nil {
		return Function{}, err
	}
	return fn, nil
}

// parseEvents reads the Api, HttpApi and SQS events; other event types are not served locally.
func parseEvents(r *resolver, fn *Function, events map[string]rawEvent, at func(string) string) error {
	for _, name := range slices.Sorted(maps.Keys(events)) {
		ev := events[name]
		path := "Events." + name + ".Properties."
		switch ev.Type {
		case "Api", "HttpApi":
			ev, err := parseAPIEvent(r, name, ev)
			if err != nil {
				return &FieldError{Path: at(path + err.field), Err: err.err}
			}
			fn.APIEvents = append(fn.APIEvents, ev)
		case "SQS":
			ev, err := parseSQSEvent(r, name, ev)
			if err != nil {
				return &FieldError{Path: at(path + err.field), Err: err.err}
			}
			fn.SQSEvents = append(fn.SQSEvents, ev)
		}
	}
	return nil
}

// firstString resolves the first present node of own, global.
func firstString(r *resolver, own, global *yaml.Node) (string, error) {
	for _, n := range []*yaml.Node{own, global} {
		s, ok, err := r.str(n)
		if err != nil || ok {
			return s, err
		}
	}
	return "", nil
}

// firstInt resolves the first present node of own, global.
func firstInt(r *resolver, own, global *yaml.Node) (int, bool, error) {
	for _, n := range []*yaml.Node{own, global} {
		v, ok, err := r.int(n)
		if err != nil || ok {
			return v, ok, err
		}
	}
	return 0, false, nil
}

// Dir is the folder the repository's convention puts a function's package
// in: <Name>Function lives in functions/<lower-cased Name> (ChatFunction:
// functions/chat), as the Makefile's build-%Function rule builds it.
func (f *Function) Dir() string { return FunctionDir(f.LogicalID) }

// FunctionDir is Function.Dir for a logical id, with "/" separators.
func FunctionDir(logicalID string) string {
	return "functions/" + strings.ToLower(strings.TrimSuffix(logicalID, "Function"))
}
