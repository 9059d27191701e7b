package template

import (
	"fmt"
	"strings"
)

// ParseParameterOverrides reads parameter values written as sam's
// --parameter-overrides takes them: "Key=Value" pairs separated by spaces,
// or "ParameterKey=Key,ParameterValue=Value" pairs. Values cannot contain
// spaces here.
func ParseParameterOverrides(s string) (map[string]string, error) {
	out := map[string]string{}
	for _, pair := range strings.Fields(s) {
		if rest, ok := strings.CutPrefix(pair, "ParameterKey="); ok {
			key, value, ok := strings.Cut(rest, ",ParameterValue=")
			if !ok || key == "" {
				return nil, fmt.Errorf("parameter override %q: want ParameterKey=Key,ParameterValue=Value", pair)
			}
			out[key] = value
			continue
		}
		key, value, ok := strings.Cut(pair, "=")
		if !ok || key == "" {
			return nil, fmt.Errorf("parameter override %q: want Key=Value", pair)
		}
		out[key] = value
	}
	return out, nil
}
