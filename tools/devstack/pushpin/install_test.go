package pushpin

import (
	"context"
	"io"
	"os/exec"
	"strings"
	"testing"
)

func TestEnsureInstalledFindsPushpin(t *testing.T) {
	want, err := exec.LookPath("pushpin")
	if err != nil {
		t.Skip("pushpin is not installed")
	}
	got, err := EnsureInstalled(context.Background(), nil, io.Discard, io.Discard)
	if err != nil || got != want {
		t.Errorf("EnsureInstalled = %q, %v; want %q", got, err, want)
	}
}

func TestInstallErrorTellsWhatToRun(t *testing.T) {
	e := &InstallError{Instruction: "brew install pushpin"}
	if !strings.Contains(e.Error(), "    brew install pushpin\n") {
		t.Errorf("message %q", e.Error())
	}
	if inst := chooseInstaller(); inst.instruction == "" {
		t.Error("no instruction for this system")
	}
}
