package samcheck

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/faas-grip/faas-grip-go/tools/devstack/apigateway"
	"github.com/faas-grip/faas-grip-go/tools/template"
)

// TestForkAFunction follows README's "Fork a function" in a scratch copy of
// the repository, running its commands and adding its template block as
// written, and checks the promise: the fork builds as sam builds it, vets,
// passes its tests and the template checks, and the local stack serves its
// route. Before step 4 the event-coverage test must fail, naming the step.
// Without the stream sample it forks another (forkSource).
func TestForkAFunction(t *testing.T) {
	skipUnlessTopLevel(t)
	dir := scratchCopy(t)
	followFork(t, dir, true)
}

// followFork does README's fork steps in dir and checks the fork. Not full:
// only the fork's own package and the event-coverage test are vetted and
// tested (the deletion test forks where it has just checked the rest).
func followFork(t *testing.T, dir string, full bool) {
	t.Helper()
	blocks, err := readmeSteps(Root(), "Fork a function")
	if err != nil {
		t.Fatal(err)
	}
	source, event := forkSource(t, dir)
	t.Logf("forking the %s sample (its event %s)", source, event)
	doStep := func(step int) {
		t.Helper()
		bs := stepBlocks(blocks, step)
		if len(bs) == 0 {
			t.Fatalf("README, Fork a function: step %d has no code block to follow", step)
		}
		for _, b := range bs {
			switch b.Lang {
			case "sh":
				mustRun(t, dir, time.Minute, "sh", "-ec", forkCommand(t, b.Text, source, event))
			case "yaml":
				addToResources(t, filepath.Join(dir, "template.yaml"), b.Text)
			default:
				t.Fatalf("README, Fork a function, step %d: a %q block; the test follows sh and yaml", step, b.Lang)
			}
		}
	}
	for step := 1; step <= 3; step++ {
		doStep(step)
	}

	// Step 4 not done yet: the copied tests load only the source sample's events.
	out, err := run(t, dir, 3*time.Minute, "go", "test", "-count=1", "-run", "^TestFunctionsTestTheirOwnRoutes$", "./tools/eventtest/")
	if err == nil || !strings.Contains(out, "MyfeatureFunction") || !strings.Contains(out, "step 4") {
		t.Fatalf("before step 4, the event-coverage test should fail naming MyfeatureFunction and README's step 4; err %v\n%s", err, out)
	}
	doStep(4)

	// The fork's files must be ones git keeps: a .gitignore rule that hides
	// them would lose the fork at the first commit.
	for _, f := range []string{"functions/myfeature/main.go", "functions/myfeature/handler.go", "events/myfeature-plain.json"} {
		if out, err := run(t, Root(), time.Minute, "git", "check-ignore", "--no-index", "-v", f); err == nil {
			t.Errorf("git would ignore the fork's %s: %s", f, out)
		}
	}

	artifacts := t.TempDir()
	mustRun(t, dir, 3*time.Minute, "make", "--no-print-directory", "build-MyfeatureFunction", "ARTIFACTS_DIR="+artifacts)
	checkBootstrap(t, filepath.Join(artifacts, "bootstrap"))
	if full {
		mustRun(t, dir, 3*time.Minute, "go", "vet", "./...")
		mustRun(t, dir, 5*time.Minute, "go", "test", "-count=1", "./functions/myfeature/", "./tools/samcheck/", "./tools/eventtest/")
	} else {
		mustRun(t, dir, 3*time.Minute, "go", "vet", "./functions/myfeature/")
		mustRun(t, dir, 5*time.Minute, "go", "test", "-count=1", "./functions/myfeature/", "./tools/eventtest/")
	}

	tmpl, err := template.Load(filepath.Join(dir, "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	served := false
	for _, r := range apigateway.RoutesFromTemplate(tmpl) {
		if r.Path == "/myfeature" && r.Function == "MyfeatureFunction" {
			served = true
		}
	}
	if !served {
		t.Errorf("the local stack's routes %v do not send /myfeature to MyfeatureFunction", apigateway.RoutesFromTemplate(tmpl))
	}
}

// addToResources puts a resource block (indented as under Resources:) at
// the top of the template's Resources.
func addToResources(t *testing.T, path, block string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	before, after, ok := strings.Cut(string(b), "\nResources:\n")
	if !ok {
		t.Fatal("template.yaml has no Resources: line")
	}
	text := before + "\nResources:\n" + block + "\n" + after
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}
