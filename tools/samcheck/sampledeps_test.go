package samcheck

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// namesSampleFolders matches Go source that reaches the samples' files:
// template.yaml, events/ or functions/.
var namesSampleFolders = regexp.MustCompile(`template\.yaml|"events"|"functions"|events/|functions/`)

// sampleDependentPackages lists the packages of the module in dir whose
// tests can see a deleted sample: a Go file of the package, or of a module
// package its tests import, names template.yaml, events/ or functions/.
// The others' tests read nothing a deletion changes; go vet ./... still
// compiles them. The end-to-end suites are left out (see TestDeleteASample).
// benched are those of pkgs with a benchmark.
func sampleDependentPackages(t *testing.T, dir string) (pkgs, benched []string) {
	t.Helper()
	// A package's own tests count; an imported package's do not (they are
	// not compiled into the importer's test binary).
	bySources, byTests, hasBench := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(mustRun(t, dir, time.Minute, "go", "list", "-f", "{{.ImportPath}}\t{{.Dir}}", "./...")), "\n") {
		pkg, pkgDir, _ := strings.Cut(line, "\t")
		bySources[pkg], byTests[pkg], hasBench[pkg] = scanGoFiles(t, pkgDir)
	}
	out := mustRun(t, dir, time.Minute, "go", "list", "-test", "-f", "{{.ImportPath}}\t{{join .Deps \",\"}}", "./...")
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		testMain, deps, _ := strings.Cut(line, "\t")
		pkg, ok := strings.CutSuffix(testMain, ".test")
		if !ok || strings.HasSuffix(pkg, "/tools/e2e") {
			continue
		}
		dependent := bySources[pkg] || byTests[pkg]
		for _, dep := range strings.Split(deps, ",") {
			dep, _, _ = strings.Cut(dep, " ") // "p [q.test]": the variant of p built for q's tests
			dependent = dependent || bySources[dep]
		}
		if dependent {
			pkgs = append(pkgs, pkg)
			if hasBench[pkg] {
				benched = append(benched, pkg)
			}
		}
	}
	slices.Sort(pkgs)
	slices.Sort(benched)
	return pkgs, benched
}

// scanGoFiles reports whether a Go file in dir names a sample folder (a
// source file, a test file) and whether a test file has a benchmark.
func scanGoFiles(t *testing.T, dir string) (inSources, inTests, hasBenchmark bool) {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		names := namesSampleFolders.Match(b)
		if strings.HasSuffix(f, "_test.go") {
			inTests = inTests || names
			hasBenchmark = hasBenchmark || bytes.Contains(b, []byte("\nfunc Benchmark"))
		} else {
			inSources = inSources || names
		}
	}
	return inSources, inTests, hasBenchmark
}
