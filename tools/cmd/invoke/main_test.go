package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/faas-grip/faas-grip-go/tools/devstack/runtimeapi"
	"github.com/faas-grip/faas-grip-go/tools/template"
)

// The devstack's test project: one EchoFunction built from testdata/testfn.
var project = filepath.Join("..", "..", "devstack", "testdata", "project")

func invokeProject(t *testing.T, event string) (stdout, stderr string, err error) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "event.json")
	if err := os.WriteFile(path, []byte(event), 0o600); err != nil {
		t.Fatal(err)
	}
	// A copy of the project, so that .build/local stays out of the source tree.
	dir := copyProject(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var out, errOut bytes.Buffer
	err = invoke(ctx, slog.New(slog.NewTextHandler(io.Discard, nil)),
		request{dir: dir, function: "EchoFunction", eventPath: path, gripURL: "http://127.0.0.1:1"}, &out, &errOut)
	return out.String(), errOut.String(), err
}

func copyProject(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, name := range []string{"template.yaml", "Makefile"} {
		b, err := os.ReadFile(filepath.Join(project, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// The copy's Makefile builds from the module root, wherever the copy is.
	root, err := filepath.Abs(filepath.Join("..", "..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("DEVSTACK_MODULE_ROOT", root)
	return dir
}

func TestInvokePrintsTheResponseAndTimings(t *testing.T) {
	stdout, stderr, err := invokeProject(t, `{"action":"echo","n":1}`)
	if err != nil {
		t.Fatalf("invoke: %v\n%s", err, stderr)
	}
	if stdout != `{"action":"echo","n":1}`+"\n" {
		t.Errorf("stdout %q", stdout)
	}
	if !strings.Contains(stderr, "REPORT RequestId: ") || !strings.Contains(stderr, "Init Duration: ") {
		t.Errorf("stderr lacks the REPORT line:\n%s", stderr)
	}
	if !strings.Contains(stderr, "[EchoFunction] testfn: init") {
		t.Errorf("stderr lacks the function's log:\n%s", stderr)
	}
}

func TestInvokePrintsTheErrorDocument(t *testing.T) {
	stdout, _, err := invokeProject(t, `{"action":"error","message":"boom"}`)
	var fnErr *runtimeapi.Error
	if !errors.As(err, &fnErr) {
		t.Fatalf("invoke: %v, want a function error", err)
	}
	if !strings.Contains(stdout, `"errorMessage":"boom"`) {
		t.Errorf("stdout %q", stdout)
	}
}

func TestFixDockerHost(t *testing.T) {
	o := template.EnvOverrides{"Parameters": {"GRIP_URL": "http://host.docker.internal:5561?verify-key=x"}, "Fn": {"GRIP_URL": "http://example.com"}}
	if !fixDockerHost(o, "Fn") {
		t.Fatal("nothing changed")
	}
	if got := o["Parameters"]["GRIP_URL"]; got != "http://127.0.0.1:5561?verify-key=x" {
		t.Errorf("GRIP_URL = %q", got)
	}
	if got := o["Fn"]["GRIP_URL"]; got != "http://example.com" {
		t.Errorf("other GRIP_URL changed to %q", got)
	}
}

// As with sam local invoke: -parameter-overrides feed !Ref, GRIP_URL (declared)
// is set, and the host's environment does not leak in.
func TestInvokeEnvironmentIsSamLocals(t *testing.T) {
	t.Setenv("NOT_DECLARED", "leak")
	dir := copyProject(t)
	for name, want := range map[string]string{
		"GREETING":      "bonjour", // !Ref Greeting, overridden
		"GRIP_URL":      "http://127.0.0.1:1",
		"AWS_SAM_LOCAL": "true",
		"NOT_DECLARED":  "",
		"HOME":          "",
	} {
		path := filepath.Join(t.TempDir(), "event.json")
		if err := os.WriteFile(path, []byte(`{"action":"env","name":"`+name+`"}`), 0o600); err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		err := invoke(t.Context(), slog.New(slog.DiscardHandler), request{dir: dir, function: "EchoFunction", eventPath: path,
			gripURL: "http://127.0.0.1:1", parameters: "Greeting=bonjour"}, &out, io.Discard)
		if err != nil || strings.TrimSpace(out.String()) != `"`+want+`"` {
			t.Errorf("%s = %s (%v), want %q", name, out.String(), err, want)
		}
	}
}
