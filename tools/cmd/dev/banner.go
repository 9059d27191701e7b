package main

import (
	"fmt"
	"io"
	"maps"
	"net/url"
	"slices"
	"strings"

	"github.com/faas-grip/faas-grip-go/tools/devstack"
)

// printBanner tells the user what to open and how to publish.
func printBanner(w io.Writer, s *devstack.Stack) {
	proxy := localhost(s.ProxyURL())
	control := s.ControlURL()

	// One line per path, with the functions and methods behind it.
	byPath := map[string][]string{}
	for _, r := range s.Routes() {
		byPath[r.Path] = append(byPath[r.Path], r.Method+" "+r.Function)
	}
	fmt.Fprintf(w, "\nfaas-grip is running on this machine. Ctrl-C stops it.\n\n")
	fmt.Fprintf(w, "Open through Pushpin (the GRIP proxy):\n")
	for _, path := range slices.Sorted(maps.Keys(byPath)) {
		fmt.Fprintf(w, "  %-36s %s\n", proxy+path, strings.Join(byPath[path], ", "))
	}
	// The samples' own examples, for those still in template.yaml.
	has := func(id string) bool { _, ok := s.Template.Function(id); return ok }
	fmt.Fprintf(w, "\nTry:\n")
	if has("ChatFunction") {
		fmt.Fprintf(w, "  open %s/chat in two browser tabs, type /nick <name>, then chat\n", proxy)
	}
	if has("StreamFunction") {
		fmt.Fprintf(w, "  curl -N %s/stream?channel=news\n", proxy)
		fmt.Fprintf(w, "  curl -N -H 'Accept: text/event-stream' %s/stream?channel=news\n", proxy)
	}
	if has("LongpollFunction") {
		fmt.Fprintf(w, "  curl %s/longpoll?channel=news\n", proxy)
	}
	fmt.Fprintf(w, "\nPublish (to every kind of client of channel news, or to the chat):\n")
	if has("PublishFunction") {
		// make invoke publishes to the default control port unless told otherwise.
		invoke := "make invoke"
		if !strings.HasSuffix(control, ":5561") {
			invoke = "GRIP_URL=" + control + " make invoke"
		}
		fmt.Fprintf(w, "  %s FN=PublishFunction EVENT=events/publish-direct.json\n", invoke)
		fmt.Fprintf(w, "  %s FN=PublishFunction EVENT=events/publish-sqs.json\n", invoke)
	}
	// No raw http-stream item for news: its streams take only messages
	// numbered in the history (they hold on its last id), as published above.
	fmt.Fprintf(w, "  curl -d '{\"items\":[{\"channel\":\"chat\",\"formats\":{\"ws-message\":{\"content\":\"hello, chat\"}}}]}' %s/publish/\n", control)
	fmt.Fprintf(w, "\nBehind Pushpin: the local API Gateway at %s (requests without Pushpin's Grip-Sig are refused),\n", s.APIURL())
	if d := s.Domain(); d != "" {
		fmt.Fprintf(w, "as deployed at %s: other Hosts get 403, REST routes live under /Prod/;\n", d)
	}
	fmt.Fprintf(w, "Pushpin's control API at %s; the functions' GRIP_URL carries its fresh verify key.\n\n", control)
}

// localhost spells a loopback URL the way people type it.
func localhost(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	u.Host = "localhost:" + u.Port()
	return u.String()
}
