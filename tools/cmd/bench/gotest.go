package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"slices"
	"strconv"
	"strings"
)

// benchPackages are the packages whose benchmarks the report runs: every
// function, and the WebSocket context and codec the budgets are set on.
var benchPackages = []string{"./functions/...", "./internal/grip/ws", "./internal/grip/woh"}

// goBench is the output of go test -bench: the lines benchstat reads, and
// the ns/op of each benchmark by "pkg.Name" (pkg's last element, Name
// without the -GOMAXPROCS suffix), one value per -count.
type goBench struct {
	raw    string
	nsOp   map[string][]float64
	allocs map[string][]float64 // allocs/op
}

func runGoBench(ctx context.Context, dir string, count int, benchtime string) (*goBench, error) {
	args := append([]string{"test", "-run", "^$", "-bench", ".", "-benchmem",
		"-count", strconv.Itoa(count), "-benchtime", benchtime}, benchPackages...)
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("go %s: %w\n%s", strings.Join(args, " "), err, out)
	}
	return parseGoBench(out), nil
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

func medianOf(values []float64) (float64, bool) {
	v := slices.Clone(values)
	if len(v) == 0 {
		return 0, false
	}
	slices.Sort(v)
	return v[(len(v)-1)/2], true
}
