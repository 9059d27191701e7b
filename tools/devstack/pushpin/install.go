package pushpin

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strings"
)

// InstallError says Pushpin could not be installed automatically, and what
// the user should run instead.
type InstallError struct {
	Instruction string // e.g. "sudo apt-get install -y pushpin"
	Err         error  // the failed installer, if one ran
}

func (e *InstallError) Error() string {
	msg := "pushpin is not installed; install it with:\n\n    " + e.Instruction + "\n"
	if e.Err != nil {
		msg = "installing pushpin failed (" + e.Err.Error() + "); install it with:\n\n    " + e.Instruction + "\n"
	}
	return msg
}

func (e *InstallError) Unwrap() error { return e.Err }

// installer is one way to install Pushpin on this machine.
type installer struct {
	steps       [][]string // commands to run, in order
	instruction string     // what to tell a user who must do it by hand
}

// EnsureInstalled returns the path of pushpin, installing it when missing:
// with apt-get on Debian and Ubuntu (directly as root, else through sudo,
// which may ask for a password on stdin), with Homebrew on macOS. Elsewhere
// it returns an *InstallError with the exact instruction.
func EnsureInstalled(ctx context.Context, stdin io.Reader, stdout, stderr io.Writer) (string, error) {
	if path, err := exec.LookPath("pushpin"); err == nil {
		return path, nil
	}
	inst := chooseInstaller()
	if inst.steps == nil {
		return "", &InstallError{Instruction: inst.instruction}
	}
	for _, step := range inst.steps {
		fmt.Fprintf(stderr, "pushpin is missing; running: %s\n", strings.Join(step, " "))
		cmd := exec.CommandContext(ctx, step[0], step[1:]...)
		cmd.Stdin, cmd.Stdout, cmd.Stderr = stdin, stdout, stderr
		cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
		if err := cmd.Run(); err != nil {
			return "", &InstallError{Instruction: inst.instruction, Err: fmt.Errorf("%s: %w", strings.Join(step, " "), err)}
		}
	}
	path, err := exec.LookPath("pushpin")
	if err != nil {
		return "", &InstallError{Instruction: inst.instruction, Err: errors.New("the installer ran but pushpin is still not on PATH")}
	}
	return path, nil
}

func chooseInstaller() installer {
	switch runtime.GOOS {
	case "linux":
		if _, err := exec.LookPath("apt-get"); err != nil {
			return installer{instruction: "see https://pushpin.org/docs/install/ for your distribution"}
		}
		apt := [][]string{{"apt-get", "update"}, {"apt-get", "install", "-y", "pushpin"}}
		const manual = "sudo apt-get update && sudo apt-get install -y pushpin"
		if os.Geteuid() == 0 {
			return installer{steps: apt, instruction: manual}
		}
		if _, err := exec.LookPath("sudo"); err == nil {
			for i, s := range apt {
				apt[i] = append([]string{"sudo"}, s...)
			}
			return installer{steps: apt, instruction: manual}
		}
		return installer{instruction: "su -c 'apt-get update && apt-get install -y pushpin'"}
	case "darwin":
		if _, err := exec.LookPath("brew"); err == nil {
			return installer{steps: [][]string{{"brew", "install", "pushpin"}}, instruction: "brew install pushpin"}
		}
		return installer{instruction: "install Homebrew (https://brew.sh), then: brew install pushpin"}
	}
	return installer{instruction: "see https://pushpin.org/docs/install/ for your system"}
}
