package devstack

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/faas-grip/faas-grip-go/tools/devstack/devtest"
	"github.com/faas-grip/faas-grip-go/tools/devstack/proc"
)

func TestStack(t *testing.T) {
	devtest.RequirePushpin(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	envVars := filepath.Join(t.TempDir(), "env.json")
	if err := os.WriteFile(envVars, []byte(`{"EchoFunction": {"GREETING": "bonjour"}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := Start(ctx, Options{
		Dir:            filepath.Join("testdata", "project"),
		EnvVars:        envVars,
		FunctionOutput: devtest.NewOutput(t, "functions"),
		PushpinOutput:  devtest.NewOutput(t, "pushpin"),
		Logger:         slog.New(slog.NewTextHandler(devtest.NewOutput(t, "stack"), nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })

	// Through Pushpin, to the gateway, to the function: the request is signed.
	resp, err := http.Get(s.ProxyURL() + "/echo/hi?x=1")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var ev events.APIGatewayProxyRequest
	if err := json.Unmarshal(body, &ev); err != nil || resp.StatusCode != 200 {
		t.Fatalf("status %d, %s", resp.StatusCode, body)
	}
	if ev.Resource != "/echo/{proxy+}" || ev.Headers["Grip-Sig"] == "" {
		t.Errorf("event resource %q, Grip-Sig %q", ev.Resource, ev.Headers["Grip-Sig"])
	}

	// The environment: template, GRIP_URL from the stack, overrides on top.
	for name, want := range map[string]string{
		"GRIP_URL": s.GripURL(),
		"GREETING": "bonjour",
		"QUEUE":    "", // !GetAtt: unresolved, as in sam local
	} {
		out, err := s.Invoke(ctx, "EchoFunction", []byte(`{"action":"env","name":"`+name+`"}`))
		if err != nil || string(out) != `"`+want+`"` {
			t.Errorf("%s = %s, %v; want %q", name, out, err, want)
		}
	}
	if !strings.Contains(s.GripURL(), s.ControlURL()+"?verify-iss=pushpin&verify-key=") {
		t.Errorf("GripURL %q", s.GripURL())
	}

	// Close leaves no process and no temp dir behind.
	out, err := s.Invoke(ctx, "EchoFunction", []byte(`{"action":"context"}`))
	if err != nil {
		t.Fatal(err)
	}
	var info struct{ Pid int }
	_ = json.Unmarshal(out, &info)
	pids := append(s.Pushpin().Tree(), info.Pid)
	dirs := []string{s.Pushpin().Dir(), s.buildDir}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	for _, pid := range pids {
		if proc.Alive(pid) {
			t.Errorf("process %d survived Close", pid)
		}
	}
	for _, d := range dirs {
		if _, err := os.Stat(d); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s survived Close", d)
		}
	}
}
