package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// benchPackages are the packages whose benchmarks the report runs: every
// function, the WebSocket context and codec the chat budgets are set on, the
// client-token verifier, the metrics writer, and the floor they are judged
// against.
var benchPackages = []string{"./functions/...", "./internal/grip/ws", "./internal/grip/woh", "./internal/clienttoken", "./internal/emf", floorPackage}

// goBench is the output of go test -bench: the lines benchstat reads, and
// the ns/op of each benchmark by "pkg.Name" (pkg's last element, Name
// without the -GOMAXPROCS suffix), one value per -count.
type goBench struct {
	raw    string
	nsOp   map[string][]float64
	allocs map[string][]float64 // allocs/op
}

// runGoBench builds the packages' test binaries once, then runs them in
// rounds, one -count each: every package, the floor included, gets a sample
// in every round, so a load that comes and goes weighs on all of them.
func runGoBench(ctx context.Context, root, tmp string, count int, benchtime string) (*goBench, error) {
	bins, err := buildTestBinaries(ctx, root, filepath.Join(tmp, "tests"))
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	for range count {
		for _, t := range bins {
			cmd := exec.CommandContext(ctx, t.bin, "-test.run", "^$", "-test.bench", ".", "-test.benchmem",
				"-test.count", "1", "-test.benchtime", benchtime)
			cmd.Dir = t.dir // as go test runs it
			b, err := cmd.CombinedOutput()
			if err != nil {
				return nil, fmt.Errorf("benchmarks of %s: %w\n%s", t.dir, err, b)
			}
			out.Write(b)
		}
	}
	return parseGoBench(out.Bytes()), nil
}

// testBinary is one package's test binary and the folder it runs in.
type testBinary struct{ bin, dir string }

// buildTestBinaries is go test -c for benchPackages that have tests.
func buildTestBinaries(ctx context.Context, root, dir string) ([]testBinary, error) {
	list := exec.CommandContext(ctx, "go", append([]string{"list", "-f", "{{if or .TestGoFiles .XTestGoFiles}}{{.ImportPath}}\t{{.Dir}}{{end}}"}, benchPackages...)...)
	list.Dir = root
	listed, err := list.Output()
	if err != nil {
		return nil, fmt.Errorf("go list %s: %w", strings.Join(benchPackages, " "), err)
	}
	var bins []testBinary
	args := []string{"test", "-c", "-o", dir + string(filepath.Separator)}
	for line := range strings.Lines(string(listed)) {
		pkg, pkgDir, ok := strings.Cut(strings.TrimSpace(line), "\t")
		if !ok {
			continue // no tests
		}
		// go test -c -o dir/ names each binary after its import path's last element.
		bins = append(bins, testBinary{bin: filepath.Join(dir, path.Base(pkg)+".test"), dir: pkgDir})
		args = append(args, pkg)
	}
	build := exec.CommandContext(ctx, "go", args...)
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("go %s: %w\n%s", strings.Join(args, " "), err, out)
	}
	return bins, nil
}

func parseGoBench(out []byte) *goBench {
	g := &goBench{nsOp: map[string][]float64{}, allocs: map[string][]float64{}}
	var raw strings.Builder
	pkg := ""
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "pkg: "):
			pkg = line[strings.LastIndexByte(line, '/')+1:]
		case strings.HasPrefix(line, "Benchmark"):
			f := strings.Fields(line)
			name := f[0]
			if j := strings.LastIndexByte(name, '-'); j > 0 {
				name = name[:j]
			}
			for unit, m := range map[string]map[string][]float64{"ns/op": g.nsOp, "allocs/op": g.allocs} {
				if i := slices.Index(f, unit); i > 0 {
					if v, err := strconv.ParseFloat(f[i-1], 64); err == nil {
						m[pkg+"."+name] = append(m[pkg+"."+name], v)
					}
				}
			}
		case strings.HasPrefix(line, "goos:"), strings.HasPrefix(line, "goarch:"), strings.HasPrefix(line, "cpu:"):
		default:
			continue // PASS, ok ...: not for benchstat
		}
		raw.WriteString(line + "\n")
	}
	g.raw = raw.String()
	return g
}

// median returns the median ns/op of a benchmark, false if it did not run.
func (g *goBench) median(key string) (float64, bool) { return medianOf(g.nsOp[key]) }

// pairedRatio is the median over rounds of key's ns/op over base's in the
// same round: benchmarks of one binary run seconds apart, so a load that
// shifts between rounds weighs on both. Without a sample of each in every
// round it is the ratio of the medians.
func (g *goBench) pairedRatio(key, base string) float64 {
	v, b := g.nsOp[key], g.nsOp[base]
	if len(v) == 0 || len(v) != len(b) {
		m, _ := g.median(key)
		mb, _ := g.median(base)
		if mb == 0 {
			return 0
		}
		return m / mb
	}
	r := make([]float64, len(v))
	for i := range v {
		r[i] = v[i] / b[i]
	}
	m, _ := medianOf(r)
	return m
}

func medianOf(values []float64) (float64, bool) {
	v := slices.Clone(values)
	if len(v) == 0 {
		return 0, false
	}
	slices.Sort(v)
	return v[(len(v)-1)/2], true
}
