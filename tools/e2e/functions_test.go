package e2e

import (
	"path/filepath"
	"sync"
	"testing"

	"github.com/faas-grip/faas-grip-go/tools/template"
)

// projectTemplate is template.yaml, read once: the suites drive the
// functions it has, and skip what a deleted sample took with it.
var projectTemplate = sync.OnceValues(func() (*template.Template, error) {
	return template.Load(filepath.Join(root, "template.yaml"))
})

// inTemplate reports whether template.yaml has the function.
func inTemplate(t *testing.T, logicalID string) bool {
	t.Helper()
	tmpl, err := projectTemplate()
	if err != nil {
		t.Fatal(err)
	}
	_, ok := tmpl.Function(logicalID)
	return ok
}

// needs skips t unless template.yaml has every function it drives.
func needs(t *testing.T, logicalIDs ...string) {
	t.Helper()
	for _, id := range logicalIDs {
		if !inTemplate(t, id) {
			t.Skipf("%s is not in template.yaml", id)
		}
	}
}
