package loadtest

import "github.com/faas-grip/faas-grip-go/tools/template"

// Needs are the functions of template.yaml each scenario drives: the
// clients' function, and PublishFunction for the scenarios that publish
// through it.
var Needs = map[string][]string{
	"chat":     {"ChatFunction"},
	"stream":   {"StreamFunction", "PublishFunction"},
	"longpoll": {"LongpollFunction", "PublishFunction"},
}

// Missing is the first function scenario needs that t does not have, ""
// when it has them all: a scenario of a deleted sample is skipped.
func Missing(t *template.Template, scenario string) string {
	for _, id := range Needs[scenario] {
		if _, ok := t.Function(id); !ok {
			return id
		}
	}
	return ""
}
