package samcheck

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/faas-grip/faas-grip-go/tools/template"
)

// TestMakeDeploy runs `make deploy` with stand-ins for the sam and aws CLIs
// (neither can reach AWS here) that record how they were called: the README
// says a first deploy is guided and later ones are not.
func TestMakeDeploy(t *testing.T) {
	samconfig, err := os.ReadFile(filepath.Join(Root(), "samconfig.toml"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^stack_name = "([^"]+)"`).FindSubmatch(samconfig)
	if m == nil {
		t.Fatal("samconfig.toml has no stack_name")
	}
	stack := string(m[1])

	for _, tc := range []struct {
		name       string
		stackFound bool
		want       []string
	}{
		{"first deploy", false, []string{"sam build", "aws cloudformation describe-stacks --stack-name " + stack, "sam deploy --guided"}},
		{"later deploys", true, []string{"sam build", "aws cloudformation describe-stacks --stack-name " + stack, "sam deploy"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bin := t.TempDir()
			log := filepath.Join(bin, "calls")
			awsStatus := "254" // what aws answers for a stack that does not exist
			if tc.stackFound {
				awsStatus = "0"
			}
			writeScript(t, filepath.Join(bin, "sam"), `echo "sam $*" >>"`+log+`"`)
			writeScript(t, filepath.Join(bin, "aws"), `echo "aws $*" >>"`+log+`"; exit `+awsStatus)

			cmd := exec.Command("make", "-s", "deploy")
			cmd.Dir = Root()
			cmd.Env = append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"))
			cmd.Stdin = nil
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("make deploy: %v\n%s", err, out)
			}
			calls, err := os.ReadFile(log)
			if err != nil {
				t.Fatal(err)
			}
			got := strings.Split(strings.TrimSpace(string(calls)), "\n")
			if !slices.Equal(got, tc.want) {
				t.Errorf("calls\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

func writeScript(t *testing.T, path, body string) {
	t.Helper()
	if err := os.WriteFile(path, []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
}

// TestREADMEGuidedDeploy checks the README's walk through `sam deploy
// --guided` against the template: sam asks for every parameter, and asks
// "<Fn> has no authentication. Is this okay?" for every function with API
// events, whose default answer (N) aborts the deploy.
func TestREADMEGuidedDeploy(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join(Root(), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	tmpl, err := LoadTemplate()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range template.Keys(tmpl.Raw("Parameters")) {
		if q := "`Parameter " + name; !strings.Contains(string(readme), q) {
			t.Errorf("README does not walk through the question %s...`", q)
		}
	}
	// The samples' questions are in README's table; a forked function's is
	// the same question, answered there for the samples.
	for _, fn := range tmpl.Functions {
		if len(fn.APIEvents) == 0 {
			continue
		}
		if _, sample := sampleRoutes[fn.LogicalID]; !sample {
			t.Logf("%s is not a sample: sam asks it the same question as the samples", fn.LogicalID)
			continue
		}
		q := "| `" + fn.LogicalID + " has no authentication. Is this okay? [y/N]` | **y**"
		if !strings.Contains(string(readme), q) {
			t.Errorf("README does not answer y to sam's question for %s (%s)", fn.LogicalID, q)
		}
	}
}
