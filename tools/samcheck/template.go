package samcheck

import (
	"path/filepath"
	"runtime"

	"github.com/faas-grip/faas-grip-go/tools/template"
)

// Root is the repository root.
func Root() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// LoadTemplate reads template.yaml with the repository's one template reader.
func LoadTemplate() (*template.Template, error) {
	return template.Load(filepath.Join(Root(), "template.yaml"))
}

// Lookup walks mapping keys of a node as written; nil when a key is missing.
var Lookup = template.Lookup
