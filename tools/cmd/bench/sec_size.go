package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
)

// bootstrapSizes is (c): each bootstrap built as sam build builds it
// (linux/arm64). It also builds every function for this machine, for the
// sections that run them, and the floor.
func (b *bench) bootstrapSizes(ctx context.Context) error {
	s := b.r.section("(c) bootstrap size, `make build-<LogicalId> ARTIFACTS_DIR=<dir>` (linux/arm64, as sam build)",
		"function", "bytes", "size", "budget")
	b.hostBins = map[string]string{}
	var failed []error
	for _, fn := range b.functions {
		if err := b.buildOne(ctx, s, fn); err != nil {
			s.row(fn.id, "", "build failed", "≤ "+mib(budgetBootstrap))
			b.r.misses = append(b.r.misses, fn.id+" did not build")
			failed = append(failed, err)
		}
	}
	var err error
	if b.floorBin, err = makeFloor(ctx, b.root, filepath.Join(b.tmp, "host", "floor")); err != nil {
		b.r.misses = append(b.r.misses, "the floor did not build")
		failed = append(failed, err)
	}
	s.note("The other sections run the same Makefile targets built for this machine (%s/%s), and the floor they are judged against, %s, built with the same flags.", runtime.GOOS, runtime.GOARCH, floorPackage)
	return errors.Join(failed...)
}

// buildOne builds fn for Lambda (measured) and for this machine.
func (b *bench) buildOne(ctx context.Context, s *section, fn fnSpec) error {
	bin, err := makeBootstrap(ctx, b.root, fn.id, filepath.Join(b.tmp, "lambda", fn.id), false)
	if err != nil {
		return err
	}
	st, err := os.Stat(bin)
	if err != nil {
		return err
	}
	s.row(fn.id, fmt.Sprint(st.Size()), b.r.judge(fn.id+" bootstrap", mib(st.Size()), st.Size() <= budgetBootstrap), "≤ "+mib(budgetBootstrap))
	host, err := makeBootstrap(ctx, b.root, fn.id, filepath.Join(b.tmp, "host", fn.id), true)
	if err != nil {
		return err
	}
	b.hostBins[fn.id] = host
	return nil
}
