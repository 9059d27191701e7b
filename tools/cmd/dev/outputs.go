package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/faas-grip/faas-grip-go/tools/devstack"
)

// writeOutputs writes, in deployed mode, the stack's outputs to path
// (default <dir>/.build/local/outputs.json) in the shape of a deployed
// stack's, and tells how make smoke checks the stack with them. The
// returned function removes the file again: its URLs die with the stack.
// Outside deployed mode it does nothing.
func writeOutputs(path, dir string, stack *devstack.Stack, queues map[string]string, out io.Writer) (remove func(), err error) {
	if stack.Domain() == "" {
		return func() {}, nil
	}
	outs, unresolved, err := stack.Outputs(queues)
	if err != nil {
		return nil, err
	}
	if path == "" {
		path = filepath.Join(dir, filepath.FromSlash(devstack.OutputsFile))
	}
	if err := devstack.WriteOutputs(path, outs); err != nil {
		return nil, fmt.Errorf("outputs: %w", err)
	}
	shown := path
	if rel, err := filepath.Rel(dir, path); err == nil && !strings.HasPrefix(rel, "..") {
		shown = rel // make runs in dir
	}
	missing := ""
	if len(unresolved) > 0 {
		missing = " (not run here: " + strings.Join(unresolved, ", ") + ")"
	}
	fmt.Fprintf(out, "\nThe stack's outputs, as a deployed stack's%s: %s\n", missing, shown)
	fmt.Fprintf(out, "  make smoke OUTPUTS=%s PROXY_URL=%s\n", shown, localhost(stack.ProxyURL()))
	return func() { _ = os.Remove(path) }, nil
}
