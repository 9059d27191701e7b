package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
)

// makeBootstrap runs `make build-<id> ARTIFACTS_DIR=<dir>`, exactly as sam
// build does; forHost adds GOOS and GOARCH of this machine (the Makefile's
// Lambda defaults are linux/arm64) so the result can run here.
func makeBootstrap(ctx context.Context, root, id, dir string, forHost bool) (string, error) {
	args := []string{"--no-print-directory", "build-" + id, "ARTIFACTS_DIR=" + dir}
	if forHost {
		args = append(args, "GOOS="+runtime.GOOS, "GOARCH="+runtime.GOARCH)
	}
	cmd := exec.CommandContext(ctx, "make", args...)
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("make %s: %w\n%s", strings.Join(args, " "), err, out)
	}
	bin := filepath.Join(dir, "bootstrap")
	if _, err := os.Stat(bin); err != nil {
		return "", fmt.Errorf("make build-%s wrote no bootstrap: %w", id, err)
	}
	return bin, nil
}
