package template

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"os"
)

// EnvOverrides is an environment-variables file in the format of
// `sam local --env-vars`:
//
//	{"Parameters": {"GRIP_PREFIX": "dev-"}, "ChatFunction": {"CHAT_CHANNEL": "lobby"}}
//
// "Parameters" applies to every function; a logical id's section to that
// function only, and wins over "Parameters".
//
// Unlike sam, a variable the template does not declare is added rather than
// ignored: a local run has no reason to hide it.
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

// Apply returns env with the overrides for function logicalID applied:
// "Parameters" first, then the function's own section. env is not modified.
func (o EnvOverrides) Apply(logicalID string, env map[string]string) map[string]string {
	out := maps.Clone(env)
	if out == nil {
		out = map[string]string{}
	}
	maps.Copy(out, o[globalSection])
	maps.Copy(out, o[logicalID])
	return out
}
