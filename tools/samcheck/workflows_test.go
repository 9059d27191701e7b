package samcheck

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

// actionlint is the version TestActionlint runs (go install, then cached).
const actionlint = "github.com/rhysd/actionlint/cmd/actionlint@v1.7.12"

// TestActionlint runs actionlint on every workflow (syntax, expressions,
// action inputs, job needs; shellcheck on run: scripts when it is
// installed). Without network to fetch actionlint the test is skipped,
// unless CI is set: there that is a failure.
func TestActionlint(t *testing.T) {
	bin := t.TempDir()
	install := exec.Command("go", "install", actionlint)
	install.Env = append(os.Environ(), "GOBIN="+bin, "GOFLAGS=")
	if out, err := install.CombinedOutput(); err != nil {
		msg := "cannot install " + actionlint + ": " + err.Error() + "\n" + string(out)
		if os.Getenv("CI") == "" {
			t.Skip(msg + "(the workflows are not linted; CI=true makes this a failure)")
		}
		t.Fatal(msg)
	}
	if _, err := exec.LookPath("shellcheck"); err != nil {
		t.Log("shellcheck is not installed: actionlint does not check the run: scripts")
	}
	out, err := run(t, Root(), 2*time.Minute, filepath.Join(bin, "actionlint"), append([]string{"-no-color"}, workflowFiles(t)...)...)
	if err != nil {
		t.Errorf("actionlint: %v\n%s", err, out)
	}
}

// TestWorkflowMakeTargets checks that every `make <target>` a workflow
// runs is a target of the Makefile.
func TestWorkflowMakeTargets(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(Root(), "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	var rules []string
	for _, m := range regexp.MustCompile(`(?m)^([A-Za-z0-9_.%-]+(?: +[A-Za-z0-9_.%-]+)*) *:[^=]`).FindAllStringSubmatch(string(b), -1) {
		rules = append(rules, strings.Fields(m[1])...)
	}
	isTarget := func(name string) bool {
		for _, r := range rules {
			if prefix, suffix, pattern := strings.Cut(r, "%"); r == name || pattern && strings.HasPrefix(name, prefix) && strings.HasSuffix(name, suffix) {
				return true
			}
		}
		return false
	}
	called := 0
	for _, f := range workflowFiles(t) {
		for name, job := range loadWorkflow(t, filepath.Base(f)).Jobs {
			for _, s := range job.Steps {
				for _, m := range regexp.MustCompile(`\bmake((?: +-\S+)*)((?: +[A-Za-z0-9_.%-]+(?:=\S*)?)+)`).FindAllStringSubmatch(s.Run, -1) {
					for _, arg := range strings.Fields(m[2]) {
						if strings.Contains(arg, "=") {
							continue // a variable
						}
						called++
						if !isTarget(arg) {
							t.Errorf("%s, job %s: make %s, which the Makefile has no target for", filepath.Base(f), name, arg)
						}
					}
				}
			}
		}
	}
	if called == 0 {
		t.Error("no workflow runs make: the check saw nothing")
	}
}

// TestDependabot checks .github/dependabot.yml: weekly updates of the Go
// modules and of the workflows' actions, from the repository's root.
func TestDependabot(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(Root(), ".github", "dependabot.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var cfg struct {
		Version int
		Updates []struct {
			Ecosystem string `yaml:"package-ecosystem"`
			Directory string
			Schedule  struct{ Interval string }
		}
	}
	if err := yaml.Unmarshal(b, &cfg); err != nil {
		t.Fatal(err)
	}
	if cfg.Version != 2 {
		t.Errorf("dependabot.yml: version %d, want 2", cfg.Version)
	}
	var got []string
	for _, u := range cfg.Updates {
		if u.Directory != "/" || u.Schedule.Interval != "weekly" {
			t.Errorf("dependabot.yml: %s in %q every %q, want / weekly", u.Ecosystem, u.Directory, u.Schedule.Interval)
		}
		got = append(got, u.Ecosystem)
	}
	slices.Sort(got)
	if !slices.Equal(got, []string{"github-actions", "gomod"}) {
		t.Errorf("dependabot.yml updates %v, want gomod and github-actions", got)
	}
}
