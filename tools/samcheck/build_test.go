package samcheck

import (
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestSamBuildTargets runs `make build-<LogicalId> ARTIFACTS_DIR=<dir>` for every
// function of the template, exactly as `sam build` does with BuildMethod
// makefile, and checks a static linux/arm64 executable named bootstrap comes out.
// A forked function is covered as soon as it is in the template.
func TestSamBuildTargets(t *testing.T) {
	if testing.Short() {
		t.Skip("builds every function; skipped with -short")
	}
	tmpl, err := LoadTemplate()
	if err != nil {
		t.Fatal(err)
	}
	if len(tmpl.Functions) == 0 {
		t.Fatal("template.yaml has no AWS::Serverless::Function")
	}
	for _, fn := range tmpl.Functions {
		t.Run(fn.LogicalID, func(t *testing.T) {
			if fn.BuildMethod != "makefile" || fn.CodeURI != "." {
				t.Fatalf("want Metadata.BuildMethod makefile and CodeUri '.', got %q and %q", fn.BuildMethod, fn.CodeURI)
			}
			dir := t.TempDir()
			cmd := exec.Command("make", "--no-print-directory", "build-"+fn.LogicalID, "ARTIFACTS_DIR="+dir)
			cmd.Dir = Root()
			// sam build does not pass our GOOS/GOARCH overrides: make sure the
			// environment of the test does not either.
			cmd.Env = withoutVars(os.Environ(), "GOOS", "GOARCH", "ARTIFACTS_DIR")
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("make build-%s: %v\n%s", fn.LogicalID, err, out)
			}
			checkBootstrap(t, filepath.Join(dir, "bootstrap"))
		})
	}
}

func withoutVars(env []string, names ...string) []string {
	var out []string
next:
	for _, kv := range env {
		for _, n := range names {
			if strings.HasPrefix(kv, n+"=") {
				continue next
			}
		}
		out = append(out, kv)
	}
	return out
}

func checkBootstrap(t *testing.T, path string) {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatalf("no bootstrap: %v", err)
	}
	if st.Mode()&0o111 == 0 {
		t.Errorf("bootstrap is not executable (mode %v)", st.Mode())
	}
	f, err := elf.Open(path)
	if err != nil {
		t.Fatalf("bootstrap is not an ELF file: %v", err)
	}
	defer f.Close()
	if f.Machine != elf.EM_AARCH64 || f.Class != elf.ELFCLASS64 {
		t.Errorf("bootstrap is %v %v, want EM_AARCH64 ELFCLASS64 (Architectures: [arm64])", f.Machine, f.Class)
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP || p.Type == elf.PT_DYNAMIC {
			t.Errorf("bootstrap is dynamically linked (%v): provided.al2023 needs CGO_ENABLED=0", p.Type)
		}
	}
	const maxSize = 9 << 20 // as make bench's budgetBootstrap: client tokens took the long-poll to 8.0 MiB
	if st.Size() > maxSize {
		t.Errorf("bootstrap is %d bytes, over the %d byte budget", st.Size(), maxSize)
	}
	t.Logf("bootstrap: %d bytes", st.Size())
}

// TestBuildTargetWithoutFolder: a logical id whose functions/<name> does not
// exist fails with a message that says where the function should be.
func TestBuildTargetWithoutFolder(t *testing.T) {
	cmd := exec.Command("make", "--no-print-directory", "build-NoSuchThingFunction", "ARTIFACTS_DIR="+t.TempDir())
	cmd.Dir = Root()
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "no folder ./functions/nosuchthing") {
		t.Errorf("make build-NoSuchThingFunction: err %v, want a failure naming ./functions/nosuchthing:\n%s", err, out)
	}
}
