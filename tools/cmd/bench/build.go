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
	args := []string{"build-" + id}
	if forHost {
		args = append(args, hostTarget()...)
	}
	return makeInto(ctx, root, dir, args...)
}

// floorPackage is the empty function the ratios are taken against.
const floorPackage = "./tools/cmd/bench/floor"

// floorRule is build-%Function's recipe for the floor's package: make runs
// it inside the Makefile (--eval), so the floor gets the functions'
// GOFLAGS_BUILD, whatever they become.
const floorRule = `bench-floor: ; CGO_ENABLED=0 GOOS=$(GOOS) GOARCH=$(GOARCH) $(GO) build $(GOFLAGS_BUILD) -o "$(ARTIFACTS_DIR)/bootstrap" ` + floorPackage

// makeFloor builds the floor for this machine into dir.
func makeFloor(ctx context.Context, root, dir string) (string, error) {
	return makeInto(ctx, root, dir, append([]string{"--eval", floorRule, "bench-floor"}, hostTarget()...)...)
}

func hostTarget() []string { return []string{"GOOS=" + runtime.GOOS, "GOARCH=" + runtime.GOARCH} }

// makeInto runs make with args and ARTIFACTS_DIR=dir and returns the
// bootstrap it wrote there.
func makeInto(ctx context.Context, root, dir string, args ...string) (string, error) {
	args = append([]string{"--no-print-directory", "ARTIFACTS_DIR=" + dir}, args...)
	cmd := exec.CommandContext(ctx, "make", args...)
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("make %s: %w\n%s", strings.Join(args, " "), err, out)
	}
	bin := filepath.Join(dir, "bootstrap")
	if _, err := os.Stat(bin); err != nil {
		return "", fmt.Errorf("make %s wrote no bootstrap: %w", strings.Join(args, " "), err)
	}
	return bin, nil
}
