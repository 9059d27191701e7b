package devstack

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/faas-grip/faas-grip-go/tools/devstack/build"
	"github.com/faas-grip/faas-grip-go/tools/template"
)

// DefaultDebounce is how long a watcher waits after the last change before
// building: editors save in several writes (a temp file, a rename, a chmod).
const DefaultDebounce = 200 * time.Millisecond

// WatchConfig configures a Watcher.
type WatchConfig struct {
	// Dir is the project root, where the functions are built from.
	Dir string
	// Functions are the functions to watch. One whose Go package
	// (build.Package) is not in Dir is left out, with a message.
	Functions []*template.Function
	// Rebuild builds a function again and swaps it in; a returned
	// *build.Error is printed with the compiler's output.
	Rebuild func(ctx context.Context, logicalID string) error
	// Output gets one line per rebuild, and a failed build's output.
	Output io.Writer
	// Debounce defaults to DefaultDebounce.
	Debounce time.Duration
	Logger   *slog.Logger
}

// Watcher rebuilds a function when a file its build reads changes: the Go
// and embedded files of its package and of every package of the module it
// imports (`go list -deps`), a new .go file in one of those folders, and
// go.mod or go.sum. It uses file system notifications (fsnotify), not
// polling, so that a save is seen at once and an idle stack costs nothing.
type Watcher struct {
	cfg    WatchConfig
	fsw    *fsnotify.Watcher
	cancel context.CancelFunc
	done   chan struct{}

	// Owned by the loop once it runs.
	deps    sources
	watched map[string]bool // folders given to fsw
}

// sources maps what a build reads to the functions whose build reads it.
type sources struct {
	files map[string][]string // absolute path of a Go, embedded or go.mod/go.sum file
	dirs  map[string][]string // package folders: a new .go file there joins the package
	pkgs  int
}

// Watch starts watching s's functions, rebuilding and swapping in a new
// build (Rebuild) when their sources change, and printing what it did to
// out. It returns once the watches are in place; Close (or s.Close) stops it.
func (s *Stack) Watch(ctx context.Context, out io.Writer) (*Watcher, error) {
	fns := make([]*template.Function, len(s.Template.Functions))
	for i := range s.Template.Functions {
		fns[i] = &s.Template.Functions[i]
	}
	w, err := NewWatcher(ctx, WatchConfig{Dir: s.dir, Functions: fns, Rebuild: s.Rebuild, Output: out, Logger: s.log})
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.watchers = append(s.watchers, w)
	s.mu.Unlock()
	return w, nil
}

// NewWatcher lists the functions' sources, watches their folders and
// starts the loop that rebuilds; it prints which functions it watches.
func NewWatcher(ctx context.Context, cfg WatchConfig) (*Watcher, error) {
	if cfg.Debounce <= 0 {
		cfg.Debounce = DefaultDebounce
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Output == nil {
		cfg.Output = io.Discard
	}
	dir, err := filepath.Abs(cfg.Dir)
	if err != nil {
		return nil, err
	}
	cfg.Dir = dir
	deps, err := listSources(ctx, cfg.Dir, cfg.Functions)
	if err != nil {
		return nil, err
	}
	for _, fn := range cfg.Functions {
		if !slices.Contains(deps.ids(), fn.LogicalID) {
			cfg.Logger.Info("not watching "+fn.LogicalID+": no folder "+build.Package(fn)+" for its package", "function", fn.LogicalID)
		}
	}
	fsw, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, fmt.Errorf("watching for changes: %w", err)
	}
	w := &Watcher{cfg: cfg, fsw: fsw, deps: deps, watched: map[string]bool{}, done: make(chan struct{})}
	if err := w.watch(); err != nil {
		_ = fsw.Close()
		return nil, err
	}
	fmt.Fprintf(cfg.Output, "watching %d functions (%d packages) for changes\n", len(deps.ids()), deps.pkgs)
	ctx, w.cancel = context.WithCancel(ctx)
	go w.loop(ctx)
	return w, nil
}

// Close stops watching, canceling a build in progress, and waits for the
// loop to end.
func (w *Watcher) Close() error {
	w.cancel()
	<-w.done
	return w.fsw.Close()
}

// watch makes fsw watch exactly the folders of w.deps.
func (w *Watcher) watch() error {
	want := map[string]bool{}
	for dir := range w.deps.dirs {
		want[dir] = true
	}
	for path := range w.deps.files {
		want[filepath.Dir(path)] = true // embedded files may sit in subfolders
	}
	for dir := range want {
		if w.watched[dir] {
			continue
		}
		if err := w.fsw.Add(dir); err != nil {
			return fmt.Errorf("watching %s: %w", dir, err)
		}
		w.watched[dir] = true
	}
	for dir := range w.watched {
		if !want[dir] {
			_ = w.fsw.Remove(dir) // fails when the folder is gone, which is fine
			delete(w.watched, dir)
		}
	}
	return nil
}

type listResult struct {
	seq  int // the later of two listings wins, whichever ends first
	deps sources
	err  error
}

func (w *Watcher) loop(ctx context.Context) {
	listed := make(chan listResult)
	listing, lists, applied := 0, 0, 0
	defer func() {
		for ; listing > 0; listing-- {
			<-listed // canceled with ctx
		}
		close(w.done)
	}()
	changed := map[string][]string{} // logical id → changed files, relative to Dir
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for {
		select {
		case ev, ok := <-w.fsw.Events:
			if !ok {
				return
			}
			if ev.Op == fsnotify.Chmod {
				continue // no new content
			}
			ids := w.deps.affected(ev.Name)
			if len(ids) == 0 {
				continue
			}
			rel := w.rel(ev.Name)
			for _, id := range ids {
				if !slices.Contains(changed[id], rel) {
					changed[id] = append(changed[id], rel)
				}
			}
			timer.Reset(w.cfg.Debounce)
		case err, ok := <-w.fsw.Errors:
			if !ok {
				return
			}
			w.cfg.Logger.Warn("watching for changes", "error", err)
		case <-timer.C:
			w.rebuild(ctx, changed)
			changed = map[string][]string{}
			// An import added or removed changes what to watch. go list
			// takes a while: meanwhile, edits are seen with the old list.
			listing++
			lists++
			go func(seq int) {
				deps, err := listSources(ctx, w.cfg.Dir, w.cfg.Functions)
				listed <- listResult{seq, deps, err}
			}(lists)
		case l := <-listed:
			listing--
			if l.err != nil {
				if ctx.Err() == nil {
					w.cfg.Logger.Warn("listing the functions' packages again; watching the ones listed before", "error", l.err)
				}
				continue
			}
			if l.seq < applied {
				continue
			}
			applied = l.seq
			w.deps = l.deps
			if err := w.watch(); err != nil {
				w.cfg.Logger.Warn("watching for changes", "error", err)
			}
		case <-ctx.Done():
			return
		}
	}
}

// rebuild builds the changed functions one after the other, printing a
// line for each as it is done. Not two at a time as Start does: a change
// in a shared package would then be compiled by both builds at once (go's
// build cache does not share work in progress), where in turn the first
// build compiles it and the others only link.
func (w *Watcher) rebuild(ctx context.Context, changed map[string][]string) {
	for _, id := range slices.Sorted(maps.Keys(changed)) {
		start := time.Now()
		err := w.cfg.Rebuild(ctx, id)
		if ctx.Err() != nil {
			return // stopping
		}
		why := describeChanges(changed[id])
		if err != nil {
			detail := err.Error()
			if be, ok := errors.AsType[*build.Error](err); ok && be.Output != "" {
				detail = be.Output
			}
			fmt.Fprintf(w.cfg.Output, "%s did not build (%s); the previous build keeps serving:\n%s\n", id, why, detail)
			continue
		}
		fmt.Fprintf(w.cfg.Output, "rebuilt %s in %.1fs (%s)\n", id, time.Since(start).Seconds(), why)
	}
}

// describeChanges is "functions/chat/handler.go changed", or with more
// files "functions/chat/handler.go and 2 more changed".
func describeChanges(files []string) string {
	if len(files) == 1 {
		return files[0] + " changed"
	}
	return fmt.Sprintf("%s and %d more changed", files[0], len(files)-1)
}

func (w *Watcher) rel(path string) string {
	if rel, err := filepath.Rel(w.cfg.Dir, path); err == nil && !strings.HasPrefix(rel, "..") {
		return filepath.ToSlash(rel)
	}
	return path
}

// affected returns the functions whose build reads path, or would read it
// were it created.
func (d sources) affected(path string) []string {
	path = filepath.Clean(path)
	if ids := d.files[path]; ids != nil {
		return ids
	}
	// Go ignores files starting with . or _ (editors' lock and swap files).
	name := filepath.Base(path)
	if strings.HasSuffix(name, ".go") && !strings.HasSuffix(name, "_test.go") &&
		!strings.HasPrefix(name, ".") && !strings.HasPrefix(name, "_") {
		return d.dirs[filepath.Dir(path)]
	}
	return nil
}

// ids are the functions watched.
func (d sources) ids() []string {
	ids := map[string]bool{}
	for _, list := range d.dirs {
		for _, id := range list {
			ids[id] = true
		}
	}
	return slices.Sorted(maps.Keys(ids))
}

// listedPackage is what `go list -json` says of a package that matters here.
type listedPackage struct {
	ImportPath string
	Dir        string
	GoFiles    []string
	CgoFiles   []string
	EmbedFiles []string
	Deps       []string
	Module     *struct {
		Main  bool
		GoMod string
	}
}

// listSources asks `go list -deps` which packages of the module each
// function's package imports, with the tags and platform of the build.
func listSources(ctx context.Context, dir string, fns []*template.Function) (sources, error) {
	d := sources{files: map[string][]string{}, dirs: map[string][]string{}}
	roots := map[string]string{} // package folder → logical id
	var patterns []string
	for _, fn := range fns {
		pkg := build.Package(fn)
		pkgDir := filepath.Join(dir, filepath.FromSlash(pkg))
		if info, err := os.Stat(pkgDir); err != nil || !info.IsDir() {
			continue // its Makefile target builds it from elsewhere: not watched
		}
		roots[pkgDir] = fn.LogicalID
		patterns = append(patterns, "./"+pkg)
	}
	if len(patterns) == 0 {
		return d, nil
	}
	args := append([]string{"list", "-e", "-deps", "-tags", "lambda.norpc",
		"-json=ImportPath,Dir,GoFiles,CgoFiles,EmbedFiles,Deps,Module"}, patterns...)
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = dir
	// PWD: go list then reports folders under dir as given, as the
	// watcher's paths are, even where dir has a symlink in it.
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "PWD="+dir)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return d, fmt.Errorf("go list: %w: %s", err, strings.TrimSpace(stderr.String()))
	}
	byPath := map[string]*listedPackage{}
	var order []*listedPackage
	for dec := json.NewDecoder(bytes.NewReader(out)); dec.More(); {
		p := &listedPackage{}
		if err := dec.Decode(p); err != nil {
			return d, fmt.Errorf("go list: %w", err)
		}
		byPath[p.ImportPath] = p
		order = append(order, p)
	}
	inModule := map[string]bool{}
	for _, root := range order {
		id, ok := roots[root.Dir]
		if !ok {
			continue
		}
		for _, path := range append([]string{root.ImportPath}, root.Deps...) {
			p := byPath[path]
			if p == nil || p.Module == nil || !p.Module.Main {
				continue // the standard library and the module cache do not change under us
			}
			inModule[path] = true
			d.dirs[p.Dir] = appendOnce(d.dirs[p.Dir], id)
			for _, list := range [][]string{p.GoFiles, p.CgoFiles, p.EmbedFiles} {
				for _, f := range list {
					path := filepath.Join(p.Dir, filepath.FromSlash(f))
					d.files[path] = appendOnce(d.files[path], id)
				}
			}
			gomod := p.Module.GoMod
			for _, f := range []string{gomod, filepath.Join(filepath.Dir(gomod), "go.sum")} {
				d.files[f] = appendOnce(d.files[f], id)
			}
		}
	}
	d.pkgs = len(inModule)
	return d, nil
}

func appendOnce(list []string, s string) []string {
	if slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}
