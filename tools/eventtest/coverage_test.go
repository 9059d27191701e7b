package eventtest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestEveryEventIsUsed fails when a file in events/ is named by no function test
// (nor, for env.json, by samconfig.toml): a sample nobody checks goes stale.
func TestEveryEventIsUsed(t *testing.T) {
	root := filepath.Dir(Dir())
	var users strings.Builder
	tests, err := filepath.Glob(filepath.Join(root, "functions", "*", "*_test.go"))
	if err != nil || len(tests) == 0 {
		t.Fatalf("no function tests found under %s/functions (err %v)", root, err)
	}
	for _, f := range append(tests, filepath.Join(root, "samconfig.toml")) {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		users.Write(b)
	}
	samples, _ := filepath.Glob(filepath.Join(Dir(), "*.json"))
	if len(samples) == 0 {
		t.Fatal("events/ has no sample events")
	}
	for _, s := range samples {
		name := filepath.Base(s)
		if !strings.Contains(users.String(), `"`+name+`"`) && !strings.Contains(users.String(), "events/"+name) {
			t.Errorf("events/%s is used by no test: use it in a functions/*/main_test.go or delete it (a deleted function's events go with it)", name)
		}
	}
}
