package samcheck

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestTeardown runs README's Teardown command, `make delete`, with a
// stand-in for sam that records its arguments, and checks it runs what
// README says it runs; `make delete` without STACK deletes nothing; the
// region comes from REGION, else AWS_REGION. And README's list of what
// stays holds against the template: every resource CloudFormation keeps
// (a DeletionPolicy of Retain or Snapshot) is named there, and so are the
// sam-managed stack and the secrets given by ARN.
func TestTeardown(t *testing.T) {
	blocks, err := readmeSteps(Root(), "Operate")
	if err != nil {
		t.Fatal(err)
	}
	var command string
	for _, b := range blocks {
		if b.Lang == "sh" && strings.HasPrefix(b.Text, "make delete") {
			command = strings.TrimSpace(b.Text)
		}
	}
	if command == "" || strings.Contains(command, "\n") {
		t.Fatalf("README, Operate: want one ```sh block of one line, make delete ..., found %q", command)
	}
	_, teardown, _ := strings.Cut(readmeText(t), "\n### Teardown\n")
	teardown, _, _ = strings.Cut(teardown, "\n#")
	said := regexp.MustCompile("runs `(sam delete [^`]+)`").FindStringSubmatch(teardown)
	if said == nil {
		t.Fatal("README, Teardown: no \"runs `sam delete ...`\" saying what make delete runs")
	}

	bin := t.TempDir()
	log := filepath.Join(bin, "calls")
	writeScript(t, filepath.Join(bin, "sam"), `echo "sam $*" >>"`+log+`"`)
	// The environment without the variables make delete reads: each case sets its own.
	var env []string
	for _, kv := range os.Environ() {
		if name, _, _ := strings.Cut(kv, "="); name != "STACK" && name != "REGION" && name != "AWS_REGION" && name != "PATH" {
			env = append(env, kv)
		}
	}
	env = append(env, "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	makeDelete := func(shell string, vars ...string) (calls string, err error) {
		os.Remove(log)
		cmd := exec.Command("sh", "-c", shell)
		cmd.Dir, cmd.Env = Root(), append(slices.Clone(env), vars...)
		if out, err := cmd.CombinedOutput(); err != nil {
			return "", fmt.Errorf("%v: %s", err, out)
		}
		b, _ := os.ReadFile(log)
		return strings.TrimSpace(string(b)), nil
	}

	if calls, err := makeDelete(command); err != nil || calls != said[1] {
		t.Errorf("README's %q called %q (%v), want what README says: %q", command, calls, err, said[1])
	}
	if _, err := makeDelete("make -s delete"); err == nil || !strings.Contains(err.Error(), "usage: make delete STACK=") {
		t.Errorf("make delete without STACK: %v; want a refusal saying how to call it", err)
	}
	if _, err := os.Stat(log); err == nil {
		t.Error("make delete without STACK called sam")
	}
	if calls, _ := makeDelete("make -s delete STACK=s", "AWS_REGION=ap-south-1"); calls != "sam delete --stack-name s --no-prompts --region ap-south-1" {
		t.Errorf("make delete STACK=s with AWS_REGION set called %q, want --region from AWS_REGION", calls)
	}
	if calls, _ := makeDelete("make -s delete STACK=s"); calls != "sam delete --stack-name s --no-prompts" {
		t.Errorf("make delete STACK=s without a region called %q, want no --region (sam takes the profile's)", calls)
	}

	cfn := translate(t)
	for id, r := range cfn.Resources {
		if r.DeletionPolicy == "Retain" || r.DeletionPolicy == "RetainExceptOnCreate" || r.DeletionPolicy == "Snapshot" {
			if !strings.Contains(teardown, id) {
				t.Errorf("%s has DeletionPolicy %s: README, Teardown must say it stays", id, r.DeletionPolicy)
			}
		}
	}
	for _, stays := range []string{"aws-sam-cli-managed-default", "GripUrlSecretArn", "GripVerifyUrlSecretArn"} {
		if !strings.Contains(teardown, stays) {
			t.Errorf("README, Teardown does not say that %s stays", stays)
		}
	}
}

// readmeText is README.md.
func readmeText(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(Root(), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
