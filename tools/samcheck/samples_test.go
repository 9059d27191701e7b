package samcheck

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/faas-grip/faas-grip-go/tools/template"
)

// sampleNames are the template's four samples; the sample <name> is the
// function <Name>Function in functions/<name>.
var sampleNames = []string{"chat", "stream", "longpoll", "publish"}

// sampleFunction is the logical id of a sample: "chat" gives "ChatFunction".
func sampleFunction(name string) string {
	return strings.ToUpper(name[:1]) + name[1:] + "Function"
}

// samplePresent reports whether dir's template.yaml still has the sample
// and its folder: a deleted sample has neither.
func samplePresent(t *testing.T, dir, name string) bool {
	t.Helper()
	tmpl, err := template.Load(filepath.Join(dir, "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := tmpl.Function(sampleFunction(name)); !ok {
		return false
	}
	_, err = os.Stat(filepath.Join(dir, "functions", name))
	return err == nil
}
