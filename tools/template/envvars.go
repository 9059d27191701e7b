package template

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"slices"
)

// EnvOverrides is an environment-variables file in the format of
// `sam local --env-vars`:
//
//	{"Parameters": {"GRIP_PREFIX": "dev-"}, "ChatFunction": {"CHAT_CHANNEL": "lobby"}}
//
// "Parameters" applies to every function; a function's section (by logical
// id or FunctionName) to that function only, and wins over "Parameters".
//
// As with sam, the file only overrides variables the template declares for
// the function (Globals or its own): see OverrideDeclared.
type EnvOverrides map[string]map[string]string

// globalSection is the key sam uses for variables of every function.
const globalSection = "Parameters"

// LoadEnvOverrides reads an env-vars file. An empty path gives no overrides.
func LoadEnvOverrides(path string) (EnvOverrides, error) {
	if path == "" {
		return EnvOverrides{}, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("env-vars: %w", err)
	}
	o, err := ParseEnvOverrides(data)
	if err != nil {
		return nil, fmt.Errorf("env-vars %s: %w", path, err)
	}
	return o, nil
}

// ParseEnvOverrides parses an env-vars file. Numbers and booleans become
// their JSON text and null the empty string, as sam does.
func ParseEnvOverrides(data []byte) (EnvOverrides, error) {
	var raw map[string]map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("want {\"Parameters\": {...}, \"<LogicalId>\": {...}}: %w", err)
	}
	out := make(EnvOverrides, len(raw))
	for section, vars := range raw {
		m := make(map[string]string, len(vars))
		for name, v := range vars {
			s, err := envString(v)
			if err != nil {
				return nil, fmt.Errorf("%s.%s: %w", section, name, err)
			}
			m[name] = s
		}
		out[section] = m
	}
	return out, nil
}

func envString(v json.RawMessage) (string, error) {
	v = bytes.TrimSpace(v)
	switch {
	case len(v) == 0, string(v) == "null":
		return "", nil
	case v[0] == '"':
		var s string
		err := json.Unmarshal(v, &s)
		return s, err
	case v[0] == '{', v[0] == '[':
		return "", fmt.Errorf("want a string, number or boolean")
	}
	return string(v), nil
}

// For returns the file's values for fn: "Parameters", then the section
// named by its logical id, then the one named by its FunctionName (sam looks
// a function up by either); later sections win.
func (o EnvOverrides) For(fn *Function) map[string]string {
	out := map[string]string{}
	maps.Copy(out, o[globalSection])
	maps.Copy(out, o[fn.LogicalID])
	if fn.FunctionName != fn.LogicalID {
		maps.Copy(out, o[fn.FunctionName])
	}
	return out
}

// OverrideDeclared returns env with the values of overrides whose names env
// already has, as `sam local` applies --env-vars: a variable the template
// does not declare cannot be created this way. ignored lists, sorted, the
// names of overrides that were dropped for that reason. env is not modified.
func OverrideDeclared(env, overrides map[string]string) (out map[string]string, ignored []string) {
	out = maps.Clone(env)
	if out == nil {
		out = map[string]string{}
	}
	for name, v := range overrides {
		if _, declared := out[name]; declared {
			out[name] = v
		} else {
			ignored = append(ignored, name)
		}
	}
	slices.Sort(ignored)
	return out, ignored
}
