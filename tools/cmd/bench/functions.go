package main

import (
	"fmt"
	"path/filepath"
	"slices"

	"github.com/faas-grip/faas-grip-go/tools/template"
)

// sampleEvents is the event each sample is measured on.
var sampleEvents = map[string]string{
	"ChatFunction":     "chat-message.json",
	"StreamFunction":   "stream-plain.json",
	"LongpollFunction": "longpoll-fresh.json",
	"PublishFunction":  "publish-direct.json",
}

// chatFunction drives the sections that measure a chat invocation (d, e, f).
const chatFunction = "ChatFunction"

// templateFunctions lists the functions of root's template.yaml with the
// event each is measured on: a sample's own, else the first
// events/<name>-*.json (the README's fork names them so). A function
// without one is left out, and said so in skipped.
func templateFunctions(root string) (fns []fnSpec, skipped []string, err error) {
	tmpl, err := template.Load(filepath.Join(root, "template.yaml"))
	if err != nil {
		return nil, nil, err
	}
	for _, fn := range tmpl.Functions {
		event, ok := sampleEvents[fn.LogicalID]
		if !ok {
			matches, _ := filepath.Glob(filepath.Join(root, "events", filepath.Base(fn.Dir())+"-*.json"))
			slices.Sort(matches)
			if len(matches) == 0 {
				skipped = append(skipped, fmt.Sprintf("%s: no events/%s-*.json to measure it on", fn.LogicalID, filepath.Base(fn.Dir())))
				continue
			}
			event = filepath.Base(matches[0])
		}
		fns = append(fns, fnSpec{id: fn.LogicalID, event: event, http: len(fn.APIEvents) > 0})
	}
	return fns, skipped, nil
}
