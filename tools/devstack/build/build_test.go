package build

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/faas-grip/faas-grip-go/tools/template"
)

// project writes a one-function Go module with a sam-style Makefile.
func project(t *testing.T, mainGo string) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"go.mod":                  "module example.com/hello\n\ngo 1.22\n",
		"functions/hello/main.go": mainGo,
		"Makefile": "GOOS ?= linux\nGOARCH ?= arm64\n" +
			"build-HelloFunction:\n\tCGO_ENABLED=0 GOOS=$(GOOS) GOARCH=$(GOARCH) go build -o \"$(ARTIFACTS_DIR)/bootstrap\" ./functions/hello\n",
	}
	for name, content := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const helloMain = "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Print(\"hello from the host\") }\n"

func TestFunctionBuildsForTheHost(t *testing.T) {
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("make is not installed")
	}
	dir := project(t, helloMain)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	for _, fn := range []template.Function{
		{LogicalID: "HelloFunction", BuildMethod: "makefile", CodeURI: "."},
		{LogicalID: "HelloFunction", Runtime: "go1.x", CodeURI: "functions/hello/"},
	} {
		bin, err := Function(ctx, &fn, filepath.Join(t.TempDir(), "artifacts"), Options{Dir: dir})
		if err != nil {
			t.Fatalf("%s build: %v", fn.BuildMethod, err)
		}
		out, err := exec.CommandContext(ctx, bin).Output()
		if err != nil || string(out) != "hello from the host" {
			t.Errorf("%s build: running %s: %q, %v", fn.BuildMethod, bin, out, err)
		}
	}
}

func TestFunctionBuildErrors(t *testing.T) {
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("make is not installed")
	}
	dir := project(t, "package main\n\nfunc main() { undefined() }\n")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	fn := template.Function{LogicalID: "HelloFunction", BuildMethod: "makefile"}
	_, err := Function(ctx, &fn, t.TempDir(), Options{Dir: dir})
	var buildErr *Error
	if !errors.As(err, &buildErr) || !strings.Contains(buildErr.Output, "undefined") {
		t.Errorf("compile error: got %v", err)
	}

	fn = template.Function{LogicalID: "MissingFunction", BuildMethod: "makefile"}
	if _, err := Function(ctx, &fn, t.TempDir(), Options{Dir: dir}); !errors.As(err, &buildErr) {
		t.Errorf("missing make target: got %v", err)
	}

	fn = template.Function{LogicalID: "HelloFunction", BuildMethod: "esbuild"}
	if _, err := Function(ctx, &fn, t.TempDir(), Options{Dir: dir}); !errors.Is(err, ErrUnsupportedBuildMethod) {
		t.Errorf("unsupported build method: got %v", err)
	}
}
