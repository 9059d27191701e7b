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
	direct, hasBench := map[string]bool{}, map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(mustRun(t, dir, time.Minute, "go", "list", "-f", "{{.ImportPath}}\t{{.Dir}}", "./...")), "\n") {
		pkg, pkgDir, _ := strings.Cut(line, "\t")
		direct[pkg], hasBench[pkg] = scanGoFiles(t, pkgDir)
	}
	out := mustRun(t, dir, time.Minute, "go", "list", "-test", "-f", "{{.ImportPath}}\t{{join .Deps \",\"}}", "./...")
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		testMain, deps, _ := strings.Cut(line, "\t")
		pkg, ok := strings.CutSuffix(testMain, ".test")
		if !ok || strings.HasSuffix(pkg, "/tools/e2e") {
			continue
		}
		dependent := direct[pkg]
		for _, dep := range strings.Split(deps, ",") {
			dep, _, _ = strings.Cut(dep, " ") // "p [q.test]": the variant of p built for q's tests
			dependent = dependent || direct[dep]
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

// scanGoFiles reports whether a Go file in dir names a sample folder, and
// whether one has a benchmark.
func scanGoFiles(t *testing.T, dir string) (namesSamples, hasBenchmark bool) {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		namesSamples = namesSamples || namesSampleFolders.Match(b)
		hasBenchmark = hasBenchmark || strings.HasSuffix(f, "_test.go") && bytes.Contains(b, []byte("\nfunc Benchmark"))
	}
	return namesSamples, hasBenchmark
}
