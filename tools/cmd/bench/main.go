// Command bench measures faas-grip-go against its performance budgets and
// prints one report: per-invocation cost (go test -bench, benchstat-ready),
// cold start, bootstrap size, memory, end-to-end chat latency through a
// real Pushpin, and publishes per chat invocation. `make bench` runs it.
//
// Everything runs on this machine, on loopback, bounded in time; child
// processes and temp dirs are removed at the end, also on Ctrl-C.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// fnSpec is one function of the template and the sample event it is
// measured on.
type fnSpec struct {
	id, event string
	http      bool // answers API Gateway events (status 200 expected)
}

type options struct {
	count       int
	benchtime   string
	runs        int
	invocations int
	rounds      int
	clients     []int
	skip        string
	markdown    string
}

func main() {
	var o options
	var clients string
	flag.IntVar(&o.count, "count", 6, "go test -count for (a)")
	flag.StringVar(&o.benchtime, "benchtime", "100ms", "go test -benchtime for (a)")
	flag.IntVar(&o.runs, "runs", 20, "cold starts per function for (b)")
	flag.IntVar(&o.invocations, "invocations", 10000, "chat invocations for (d)")
	flag.IntVar(&o.rounds, "rounds", 200, "messages per client count for (e)")
	flag.StringVar(&clients, "clients", "10,100", "client counts for (e)")
	flag.StringVar(&o.skip, "skip", "", "sections to skip, e.g. a,e")
	flag.StringVar(&o.markdown, "md", "", "also write the tables as markdown to this file")
	timeout := flag.Duration("timeout", 8*time.Minute, "bound on the whole run (the floors double the process starts; a loaded machine is slow)")
	flag.Parse()
	for _, c := range strings.Split(clients, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(c))
		if err != nil || n < 1 {
			fmt.Fprintf(os.Stderr, "bench: bad -clients %q\n", clients)
			os.Exit(2)
		}
		o.clients = append(o.clients, n)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	if err := run(ctx, o, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		cancel()
		stop()
		os.Exit(1)
	}
}

func run(ctx context.Context, o options, out io.Writer) error {
	root, err := projectRoot()
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "faas-grip-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)

	r := &report{header: []string{
		"faas-grip-go performance report, " + time.Now().UTC().Format(time.RFC3339),
		fmt.Sprintf("machine: %d × %s, %s/%s, %s", runtime.NumCPU(), cpuModel(), runtime.GOOS, runtime.GOARCH, runtime.Version()),
		"command: make bench (go run ./tools/cmd/bench)",
	}}
	fns, skipped, err := templateFunctions(root)
	if err != nil {
		return err
	}
	for _, why := range skipped {
		progress("not measured: %s", why)
	}
	b := &bench{root: root, tmp: tmp, o: o, r: r, functions: fns}
	loadStart := loadAverage()
	steps := []struct {
		name string
		run  func(context.Context) error
	}{
		{"a", b.perInvocation},
		{"c", b.bootstrapSizes}, // host builds and the floor too: (b), (d) and (f) need them
		{"b", b.coldStarts},
		{"d", b.memory},
		{"e", b.endToEnd},
		{"f", b.publishes},
	}
	var failed []error
	for _, s := range steps {
		if strings.Contains(o.skip, s.name) && s.name != "c" {
			r.section("(" + s.name + ") skipped (-skip)")
			continue
		}
		start := time.Now()
		progress("(%s) ...", s.name)
		if err := s.run(ctx); err != nil {
			r.section("("+s.name+") not done").note("%v", err)
			failed = append(failed, fmt.Errorf("(%s): %w", s.name, err))
		}
		progress("(%s) done in %v", s.name, time.Since(start).Round(time.Millisecond))
		if ctx.Err() != nil {
			break
		}
	}
	b.close()
	r.header = append(r.header, fmt.Sprintf("load average (1 min): %s at the start, %s at the end: other work on the machine shows in the figures", loadStart, loadAverage()))
	r.writeText(out)
	if o.markdown != "" {
		f, err := os.Create(o.markdown)
		if err != nil {
			return err
		}
		r.writeMarkdown(f)
		if err := f.Close(); err != nil {
			return err
		}
	}
	return errors.Join(failed...)
}

// bench holds what the sections share.
type bench struct {
	root, tmp string
	o         options
	r         *report
	functions []fnSpec          // template.yaml's, with the event each is measured on
	hostBins  map[string]string // logical id -> bootstrap built for this machine
	floorBin  string            // the empty function the times are judged against
	grip      *gripCounter      // the GRIP control endpoint the functions publish to
}

func (b *bench) close() {
	if b.grip != nil {
		b.grip.close()
	}
}

// functionEnv is the environment of a function process: GRIP_URL names the
// counting control endpoint and verifies the sample events' Grip-Sig.
func (b *bench) functionEnv() (map[string]string, error) {
	if b.grip == nil {
		g, err := newGripCounter()
		if err != nil {
			return nil, err
		}
		b.grip = g
	}
	// A local run, as sam local marks it: the sample events are signed with
	// Pushpin's stock key, which a deployment refuses.
	return map[string]string{"GRIP_URL": b.grip.url + "?verify-iss=pushpin&verify-key=changeme", "AWS_SAM_LOCAL": "true"}, nil
}

// needChat is nil when the chat function was built, else why a chat
// section cannot run.
func (b *bench) needChat() error {
	if !slices.ContainsFunc(b.functions, func(f fnSpec) bool { return f.id == chatFunction }) {
		return fmt.Errorf("%s is not in template.yaml", chatFunction)
	}
	if b.hostBins[chatFunction] == "" {
		return errors.New("the chat function did not build, see (c)")
	}
	return nil
}

func (b *bench) event(name string) ([]byte, error) {
	return os.ReadFile(filepath.Join(b.root, "events", name))
}

func progress(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bench: "+format+"\n", args...)
}

// projectRoot is the nearest directory up from here with a go.mod.
func projectRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod here or above: run from the project")
		}
		dir = parent
	}
}

// loadAverage is the 1-minute load average from /proc/loadavg, or "?".
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); err == nil && len(f) > 0 {
		return f[0]
	}
	return "?"
}

// cpuModel is /proc/cpuinfo's model name, or "unknown CPU".
func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if name, value, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(name) == "model name" {
			return strings.TrimSpace(value)
		}
	}
	return "unknown CPU"
}
