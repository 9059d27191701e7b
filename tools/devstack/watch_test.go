package devstack

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/faas-grip/faas-grip-go/tools/devstack/build"
	"github.com/faas-grip/faas-grip-go/tools/devstack/devtest"
	"github.com/faas-grip/faas-grip-go/tools/template"
)

// watchProject writes a module with three functions: A and B import its
// package "shared", C imports nothing of the module yet.
func watchProject(t *testing.T) (string, []*template.Function) {
	t.Helper()
	dir := t.TempDir()
	mainGo := func(imp string) string {
		if imp == "" {
			return "package main\n\nfunc main() {}\n"
		}
		return "package main\n\nimport _ \"example.com/app/internal/" + imp + "\"\n\nfunc main() {}\n"
	}
	for name, content := range map[string]string{
		"go.mod":                       "module example.com/app\n\ngo 1.22\n",
		"internal/shared/shared.go":    "package shared\n",
		"internal/unused/unused.go":    "package unused\n",
		"functions/a/main.go":          mainGo("shared"),
		"functions/a/main_test.go":     "package main\n",
		"functions/b/main.go":          mainGo("shared"),
		"functions/c/main.go":          mainGo(""),
		"functions/c/testdata/in.json": "{}\n",
	} {
		writeFile(t, filepath.Join(dir, name), content)
	}
	var fns []*template.Function
	for _, name := range []string{"a", "b", "c"} {
		fns = append(fns, &template.Function{
			LogicalID:   strings.ToUpper(name) + "Function",
			BuildMethod: "go1.x",
			CodeURI:     "functions/" + name,
		})
	}
	return dir, fns
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// writes passes each Write (the watcher writes a message in one) to a channel.
type writes chan string

func (w writes) Write(p []byte) (int, error) {
	w <- string(p)
	return len(p), nil
}

// TestDevLoopWatcherRebuildsWhatAChangeReaches edits a module's files and
// checks which functions the watcher builds again: every function importing
// a changed package, one message for several quick writes, nothing for test
// files or packages no function imports, a compiler error for a broken
// build, and a package a function starts importing is watched from then on.
func TestDevLoopWatcherRebuildsWhatAChangeReaches(t *testing.T) {
	dir, fns := watchProject(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out := writes(make(chan string, 16))
	w, err := NewWatcher(ctx, WatchConfig{
		Dir:       dir,
		Functions: fns,
		Rebuild: func(ctx context.Context, id string) error {
			fn := fns[strings.ToLower(id)[0]-'a']
			_, err := build.Function(ctx, fn, t.TempDir(), build.Options{Dir: dir})
			return err
		},
		Output: out,
		Logger: slog.New(slog.NewTextHandler(devtest.NewOutput(t, "watcher log"), nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()

	next := func() string {
		t.Helper()
		select {
		case m := <-out:
			return m
		case <-time.After(30 * time.Second):
			t.Fatal("the watcher said nothing within 30s")
		}
		return ""
	}
	expect := func(prefix, suffix string) string {
		t.Helper()
		m := next()
		if !strings.HasPrefix(m, prefix) || !strings.HasSuffix(m, suffix) {
			t.Fatalf("the watcher said %q, want %q...%q", m, prefix, suffix)
		}
		return m
	}

	expect("watching 3 functions (4 packages) for changes", "\n")

	// Three quick writes, as an editor saving: one build per function.
	for i := range 3 {
		writeFile(t, filepath.Join(dir, "internal/shared/shared.go"), "package shared\n\n// save "+string(rune('0'+i))+"\n")
		time.Sleep(20 * time.Millisecond)
	}
	expect("rebuilt AFunction in ", "s (internal/shared/shared.go changed)\n")
	expect("rebuilt BFunction in ", "s (internal/shared/shared.go changed)\n")

	// A test file, test data, a package no function imports, an editor's
	// lock file: none of them is read by a build. Only C's main.go is.
	writeFile(t, filepath.Join(dir, "functions/a/main_test.go"), "package main\n\n// edited\n")
	writeFile(t, filepath.Join(dir, "functions/c/testdata/in.json"), "{\"edited\": true}\n")
	writeFile(t, filepath.Join(dir, "internal/unused/unused.go"), "package unused\n\n// edited\n")
	writeFile(t, filepath.Join(dir, "functions/b/.#main.go"), "lock\n")
	writeFile(t, filepath.Join(dir, "functions/c/main.go"), "package main\n\n// edited\nfunc main() {}\n")
	expect("rebuilt CFunction in ", "s (functions/c/main.go changed)\n")

	writeFile(t, filepath.Join(dir, "functions/b/main.go"), "package main\n\nfunc main() {\n")
	if m := expect("BFunction did not build (functions/b/main.go changed); the previous build keeps serving:\n", "\n"); !strings.Contains(m, "functions/b/main.go:") {
		t.Errorf("the message lacks the compiler's error:\n%s", m)
	}

	// A new file that imports a package of the module: C then depends on it.
	writeFile(t, filepath.Join(dir, "functions/c/uses.go"), "package main\n\nimport _ \"example.com/app/internal/unused\"\n")
	expect("rebuilt CFunction in ", "s (functions/c/uses.go changed)\n")
	// The watcher lists the packages again after that build: an edit made
	// before it has done so is missed, so edit until one is seen.
	var seen string
	for i := 0; seen == "" && i < 20; i++ {
		writeFile(t, filepath.Join(dir, "internal/unused/unused.go"), "package unused\n\n// edit "+strconv.Itoa(i)+"\n")
		select {
		case seen = <-out:
		case <-time.After(time.Second):
		}
	}
	if !strings.HasPrefix(seen, "rebuilt CFunction in ") || !strings.HasSuffix(seen, "s (internal/unused/unused.go changed)\n") {
		t.Fatalf("after C imported internal/unused, an edit there: the watcher said %q", seen)
	}

	select {
	case m := <-out:
		t.Errorf("the watcher also said %q", m)
	case <-time.After(DefaultDebounce + 100*time.Millisecond):
	}
}
