package main

import (
	"os/exec"
	"strings"
	"testing"
)

// The floor is built with the functions' go build flags: make prints both
// commands (-n) and everything between "go build" and "-o" must match.
func TestFloorBuiltLikeTheFunctions(t *testing.T) {
	root, err := projectRoot()
	if err != nil {
		t.Fatal(err)
	}
	flags := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("make", append([]string{"-n", "--no-print-directory", "ARTIFACTS_DIR=out"}, args...)...)
		cmd.Dir = root
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("make %s: %v\n%s", args, err, out)
		}
		for line := range strings.Lines(string(out)) {
			if _, after, ok := strings.Cut(line, " build "); ok && strings.HasPrefix(line, "CGO_ENABLED=0") {
				before, _, _ := strings.Cut(after, " -o ")
				return before
			}
		}
		t.Fatalf("make %s printed no go build:\n%s", args, out)
		return ""
	}
	fn, floor := flags("build-ChatFunction"), flags("--eval", floorRule, "bench-floor")
	if fn != floor || !strings.Contains(fn, "-trimpath") {
		t.Errorf("the floor is built with %q, the functions with %q", floor, fn)
	}
}

func TestJudgeRatio(t *testing.T) {
	r := &report{}
	if got := r.judgeRatio("a", 3, 2, 1.5); got != "1.50× PASS" {
		t.Errorf("3/2 against 1.5× = %q", got)
	}
	if got := r.judgeRatio("b", 4, 2, 1.5); got != "2.00× MISS" {
		t.Errorf("4/2 against 1.5× = %q", got)
	}
	if got := r.judgeRatio("c", 4, 0, 1.5); got != "0.00× MISS" {
		t.Errorf("no floor = %q, want a MISS", got)
	}
	if r.pass != 1 || len(r.misses) != 2 {
		t.Errorf("%d PASS, misses %q", r.pass, r.misses)
	}
}
