package samcheck

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// forkSources are the samples README's "Fork a function" can start from, in
// order: README writes its steps for stream; publish has no route to fork.
var forkSources = []string{"stream", "longpoll", "chat"}

// forkSource is the sample to fork in dir and its event of GET /<name>
// (README's block gives the fork a GET route): stream and stream-plain while
// stream is there.
func forkSource(t *testing.T, dir string) (name, event string) {
	t.Helper()
	for _, name := range forkSources {
		if !samplePresent(t, dir, name) {
			continue
		}
		files, _ := filepath.Glob(filepath.Join(dir, "events", name+"-*.json"))
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			var ev struct{ RouteKey string }
			if json.Unmarshal(b, &ev) == nil && ev.RouteKey == "GET /"+name {
				return name, strings.TrimSuffix(filepath.Base(f), ".json")
			}
		}
	}
	t.Skipf("none of the samples %v is in template.yaml with an event of its GET route: nothing to fork", forkSources)
	return "", ""
}

// forkCommand is a shell command of README's steps (written for the stream
// sample and its stream-plain event) for the sample name and its event.
func forkCommand(t *testing.T, command, name, event string) string {
	t.Helper()
	if name == "stream" {
		return command // exactly as README says
	}
	out := strings.ReplaceAll(command, "stream-plain", event)
	out = strings.ReplaceAll(out, "StreamFunction", sampleFunction(name))
	out = regexp.MustCompile(`\bstream\b`).ReplaceAllString(out, name)
	if strings.Contains(out, "stream") {
		t.Fatalf("README's fork command %q still names stream once rewritten for %s: %q", command, name, out)
	}
	return out
}
