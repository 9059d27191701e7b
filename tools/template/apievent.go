package template

import (
	"fmt"
	"strings"
)

// eventError is an error in one property of an event.
type eventError struct {
	field string // e.g. "Path"
	err   error
}

// parseAPIEvent reads an event of Type Api or HttpApi.
func parseAPIEvent(r *resolver, name string, ev rawEvent) (APIEvent, *eventError) {
	kind := APIKind(ev.Type)
	out := APIEvent{Name: name, Kind: kind}
	props := &ev.Properties
	var err error

	if out.Path, _, err = r.str(&props.Path); err != nil {
		return out, &eventError{"Path", err}
	}
	if out.Method, _, err = r.str(&props.Method); err != nil {
		return out, &eventError{"Method", err}
	}
	out.Method = strings.ToUpper(out.Method)

	idNode := &props.RestAPIID
	if kind == KindHTTPAPI {
		idNode = &props.APIID
	}
	if out.APIID, _, err = r.str(idNode); err != nil {
		return out, &eventError{"ApiId", err}
	}

	switch kind {
	case KindHTTPAPI:
		// Without Path and Method the event is the API's $default route.
		if out.Path == "" && out.Method == "" {
			out.Path, out.Method = DefaultRoute, "ANY"
		}
		v, ok, err := r.str(&props.PayloadFormatVersion)
		if err != nil {
			return out, &eventError{"PayloadFormatVersion", err}
		}
		if !ok || v == "" {
			v = "2.0" // SAM's default for HttpApi events
		}
		if v != "1.0" && v != "2.0" {
			return out, &eventError{"PayloadFormatVersion", fmt.Errorf(`want "1.0" or "2.0", found %q`, v)}
		}
		out.PayloadFormatVersion = v
	default:
		out.PayloadFormatVersion = "1.0"
	}

	if out.Path != DefaultRoute && !strings.HasPrefix(out.Path, "/") {
		return out, &eventError{"Path", fmt.Errorf("must start with /, found %q", out.Path)}
	}
	if out.Method == "" {
		return out, &eventError{"Method", fmt.Errorf("missing (use a method such as get, or any)")}
	}
	return out, nil
}
