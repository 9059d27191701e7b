package samcheck

import (
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// deletionE2E is, per sample, the end-to-end suite that must skip naming
// the deleted function. TestDirectRequestsNeedGripSig runs beside it: it
// drives every function left, so it proves the stack starts without one.
var deletionE2E = map[string]string{
	"chat":     "TestChat",
	"stream":   "TestStreamPlainAndSSE",
	"longpoll": "TestLongpollTimeout",
	"publish":  "TestPublishFromSQS",
}

// TestDeleteASample deletes each sample in turn in a scratch copy of the
// repository, as README says (deleteSample), and checks that nothing else
// breaks: go vet ./..., the tests and benchmarks of every package that can
// see the samples, the end-to-end suites that prove the skip, and cfn-lint
// (once, on the four templates). Without the stream sample, README's fork
// starts from another sample.
func TestDeleteASample(t *testing.T) {
	skipUnlessTopLevel(t)
	pkgs, benched := sampleDependentPackages(t, Root())
	templates := t.TempDir()
	var linted []string
	for _, name := range sampleNames {
		t.Run(name, func(t *testing.T) {
			if !samplePresent(t, Root(), name) {
				t.Skipf("%s is not in template.yaml", sampleFunction(name))
			}
			start := time.Now()
			dir := scratchCopy(t)
			deleteSample(t, dir, name)
			without := func(ps []string) []string {
				return slices.DeleteFunc(slices.Clone(ps), func(p string) bool { return strings.HasSuffix(p, "/functions/"+name) })
			}
			checkWithout(t, dir, name, without(pkgs), without(benched))
			saved := filepath.Join(templates, "without-"+name+".yaml")
			if err := copyFile(filepath.Join(dir, "template.yaml"), saved); err != nil {
				t.Fatal(err)
			}
			linted = append(linted, saved)
			if name == "stream" {
				followFork(t, dir, false)
			}
			t.Logf("deleting %s: checked in %s (cfn-lint below)", name, time.Since(start).Round(time.Second))
		})
	}
	// One cfn-lint for the four: it takes seconds to start.
	if _, err := exec.LookPath("cfn-lint"); err != nil {
		t.Log("cfn-lint is not installed: the templates without a sample are not linted")
	} else if len(linted) > 0 {
		mustRun(t, templates, 2*time.Minute, "cfn-lint", linted...)
	}
}

// checkWithout checks the tree in dir, where the sample name was deleted.
// pkgs are the packages whose tests can see the samples, benched those of
// them with benchmarks (sampleDependentPackages), the deleted one left out.
func checkWithout(t *testing.T, dir, name string, pkgs, benched []string) {
	t.Helper()
	fn := sampleFunction(name)
	mustRun(t, dir, 3*time.Minute, "go", "vet", "./...")

	// Without -count=1, go test reruns a package's tests only when their
	// binary or a file they read changed: the first deletion runs them all,
	// the next ones only those that read what a deletion changes (the copies
	// keep files' times).
	out := mustRun(t, dir, 8*time.Minute, "go", append([]string{"test"}, pkgs...)...)
	t.Logf("tests of %d packages can see the samples; these ran, the others' results were cached: %v", len(pkgs), ranPackages(out))

	// Then, in one go test (packages side by side), the benchmarks once
	// (never cached) and two end-to-end suites. Only two: the suites run
	// while make test runs the real tree's, and the sam local replay listens
	// on the fixed port events/env.json names (all at once would collide).
	skips := deletionE2E[name]
	args := append([]string{"test", "-count=1", "-v", "-run", "^(" + skips + "|TestDirectRequestsNeedGripSig)$",
		"-bench", ".", "-benchtime", "1x", "./tools/e2e/"}, benched...)
	out = mustRun(t, dir, 4*time.Minute, "go", args...)
	if strings.Contains(out, "pushpin is not installed") {
		return
	}
	if !strings.Contains(out, fn+" is not in template.yaml") {
		t.Errorf("%s did not skip naming %s:\n%s", skips, fn, out)
	}
	if !strings.Contains(out, "--- PASS: TestDirectRequestsNeedGripSig") {
		t.Errorf("TestDirectRequestsNeedGripSig did not pass without the %s sample:\n%s", name, out)
	}
}

// ranPackages are the packages go test's output says ran (not cached).
func ranPackages(out string) []string {
	var ran []string
	for _, line := range strings.Split(out, "\n") {
		if f := strings.Fields(line); len(f) >= 3 && f[0] == "ok" && f[2] != "(cached)" {
			ran = append(ran, strings.TrimPrefix(f[1], "github.com/faas-grip/faas-grip-go/"))
		}
	}
	return ran
}
