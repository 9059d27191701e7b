// Package build builds a template's functions for the machine it runs on,
// the way `sam build` builds them for Lambda: through the function's own
// build method, so that a forked function with a new Makefile target builds
// without changes here.
package build

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/faas-grip/faas-grip-go/tools/template"
)

// Options says where and for which platform to build.
type Options struct {
	// Dir is the project root: where template.yaml and the Makefile are.
	Dir string
	// GOOS and GOARCH default to the host's.
	GOOS, GOARCH string
	// Output receives the build tool's output; nil discards it (it is still
	// quoted in a failed build's error).
	Output io.Writer
}

// Error is a failed build, with the tool's output.
type Error struct {
	Function string
	Command  string
	Output   string // combined stdout and stderr, trimmed
	Err      error
}

func (e *Error) Error() string {
	msg := fmt.Sprintf("build %s: %s: %v", e.Function, e.Command, e.Err)
	if e.Output != "" {
		msg += "\n" + e.Output
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// ErrUnsupportedBuildMethod is returned for a BuildMethod other than
// "makefile" or "go1.x".
var ErrUnsupportedBuildMethod = errors.New("unsupported BuildMethod (want makefile or go1.x)")

// Package is the folder, relative to the project root, of the Go package
// (package main) that Function compiles for fn: CodeUri with BuildMethod
// go1.x, else the Makefile's convention (template.Function.Dir). A watcher
// follows its dependencies to know when fn needs building again.
func Package(fn *template.Function) string {
	if fn.BuildMethod == "go1.x" || fn.BuildMethod == "" && fn.Runtime == "go1.x" {
		return filepath.ToSlash(filepath.Clean(fn.CodeURI))
	}
	return fn.Dir()
}

// Function builds fn into artifactsDir and returns the path of the
// executable to run, artifactsDir/bootstrap.
//
// BuildMethod makefile runs `make build-<LogicalId> ARTIFACTS_DIR=<dir>`
// exactly as sam build does, adding GOOS and GOARCH for the host (they
// override the Makefile's Lambda defaults). BuildMethod go1.x builds the
// CodeUri package with go build.
func Function(ctx context.Context, fn *template.Function, artifactsDir string, opts Options) (string, error) {
	goos, goarch := opts.GOOS, opts.GOARCH
	if goos == "" {
		goos = runtime.GOOS
	}
	if goarch == "" {
		goarch = runtime.GOARCH
	}
	dir, err := filepath.Abs(artifactsDir)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	bootstrap := filepath.Join(dir, "bootstrap")

	method := fn.BuildMethod
	if method == "" && fn.Runtime == "go1.x" {
		method = "go1.x" // sam's default for that runtime
	}
	var cmd *exec.Cmd
	switch method {
	case "makefile":
		cmd = exec.CommandContext(ctx, "make", "--no-print-directory", "build-"+fn.LogicalID,
			"ARTIFACTS_DIR="+dir, "GOOS="+goos, "GOARCH="+goarch)
	case "go1.x":
		cmd = exec.CommandContext(ctx, "go", "build", "-tags", "lambda.norpc", "-trimpath", "-o", bootstrap,
			"./"+filepath.ToSlash(filepath.Clean(fn.CodeURI)))
	default:
		return "", &Error{Function: fn.LogicalID, Command: "(none)", Err: fmt.Errorf("%w: %q", ErrUnsupportedBuildMethod, method)}
	}
	cmd.Dir = opts.Dir
	cmd.Env = append(os.Environ(), "GOOS="+goos, "GOARCH="+goarch, "CGO_ENABLED=0")

	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if opts.Output != nil {
		cmd.Stdout = io.MultiWriter(&out, opts.Output)
		cmd.Stderr = cmd.Stdout
	}
	if err := cmd.Run(); err != nil {
		return "", &Error{Function: fn.LogicalID, Command: strings.Join(cmd.Args, " "), Output: strings.TrimSpace(out.String()), Err: err}
	}
	if _, err := os.Stat(bootstrap); err != nil {
		return "", &Error{Function: fn.LogicalID, Command: strings.Join(cmd.Args, " "), Output: strings.TrimSpace(out.String()),
			Err: fmt.Errorf("the build wrote no %s", bootstrap)}
	}
	return bootstrap, nil
}
