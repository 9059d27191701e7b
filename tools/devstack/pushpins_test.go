package devstack

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/faas-grip/faas-grip-go/tools/devstack/devtest"
	"github.com/faas-grip/faas-grip-go/tools/devstack/proc"
	"github.com/faas-grip/faas-grip-go/tools/template"
)

// Two Pushpin instances in front of one API: both serve signed requests,
// GRIP_URL names both, and one can be stopped and started again while the
// other keeps serving.
func TestStackWithTwoPushpins(t *testing.T) {
	devtest.RequirePushpin(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	// Built beforehand, as several stacks in a row share one build.
	dir := filepath.Join("testdata", "project")
	tmpl, err := template.Load(filepath.Join(dir, "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	bins, err := BuildFunctions(ctx, dir, []*template.Function{&tmpl.Functions[0]}, t.TempDir(), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}

	s, err := Start(ctx, Options{
		Dir:                    dir,
		Binaries:               bins,
		Pushpins:               2,
		PushpinMessageRate:     -1,
		PushpinMessageHWM:      500000,
		PushpinMaxOpenRequests: 300,
		FunctionOutput:         devtest.NewOutput(t, "functions"),
		PushpinOutput:          devtest.NewOutput(t, "pushpin"),
		Logger:                 slog.New(slog.NewTextHandler(devtest.NewOutput(t, "stack"), nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })

	if s.buildDir != "" {
		t.Errorf("Start built the functions again (%s) despite Binaries", s.buildDir)
	}
	proxies := s.Pushpins()
	urls := s.ProxyURLs()
	if len(proxies) != 2 || len(urls) != 2 || urls[0] == urls[1] || s.ProxyURL() != urls[0] {
		t.Fatalf("ProxyURLs %v, ProxyURL %s, %d instances", urls, s.ProxyURL(), len(proxies))
	}
	if proxies[0].SigKey() == proxies[1].SigKey() || proxies[0].Dir() == proxies[1].Dir() {
		t.Error("the instances share a signing key or a dir")
	}
	want := proxies[0].GripURL() + "," + proxies[1].GripURL()
	if s.GripURL() != want {
		t.Errorf("GripURL %q, want %q", s.GripURL(), want)
	}
	out, err := s.Invoke(ctx, "EchoFunction", []byte(`{"action":"env","name":"GRIP_URL"}`))
	if err != nil || string(out) != `"`+want+`"` {
		t.Errorf("the function's GRIP_URL = %s, %v; want %q", out, err, want)
	}
	for _, p := range proxies {
		conf, err := os.ReadFile(filepath.Join(p.Dir(), "pushpin.conf"))
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range []string{"message_rate=0", "message_hwm=500000", "max_open_requests=300"} {
			if !strings.Contains(string(conf), "\n"+line+"\n") {
				t.Errorf("%s/pushpin.conf lacks %s", p.Dir(), line)
			}
		}
	}

	get := func(url string) (string, error) {
		resp, err := http.Get(url + "/echo/hi")
		if err != nil {
			return "", err
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		var ev struct{ Headers map[string]string }
		_ = json.Unmarshal(body, &ev)
		return ev.Headers["Grip-Sig"], nil
	}
	for i, url := range urls {
		if sig, err := get(url); err != nil || sig == "" {
			t.Errorf("instance %d: Grip-Sig %q, %v", i, sig, err)
		}
	}

	// Stop the second: the first still serves; start it again: both serve.
	stopped := proxies[1]
	pids := stopped.Tree()
	if err := s.StopPushpin(1); err != nil {
		t.Fatal(err)
	}
	if err := s.StopPushpin(1); err != nil {
		t.Errorf("stopping a stopped instance: %v", err)
	}
	for _, pid := range pids {
		if proc.Alive(pid) {
			t.Errorf("process %d survived StopPushpin", pid)
		}
	}
	if s.Pushpins()[1] != nil {
		t.Error("Pushpins()[1] is not nil after StopPushpin")
	}
	if _, err := get(urls[1]); err == nil {
		t.Error("the stopped instance still answers")
	}
	if sig, err := get(urls[0]); err != nil || sig == "" {
		t.Errorf("the running instance: %q, %v", sig, err)
	}
	if err := s.StartPushpin(ctx, 1); err != nil {
		t.Fatal(err)
	}
	restarted := s.Pushpins()[1]
	if restarted == nil || restarted.SigKey() != stopped.SigKey() || restarted.URL() != urls[1] {
		t.Fatalf("restarted instance %+v", restarted)
	}
	if sig, err := get(urls[1]); err != nil || sig == "" {
		t.Errorf("the restarted instance: %q, %v", sig, err)
	}
	if err := s.StopPushpin(2); err == nil {
		t.Error("StopPushpin(2) of 2 instances: no error")
	}

	// Close stops both.
	pids = append(s.Pushpins()[0].Tree(), s.Pushpins()[1].Tree()...)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	for _, pid := range pids {
		if proc.Alive(pid) {
			t.Errorf("process %d survived Close", pid)
		}
	}
}
