//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

// Package moto starts moto_server, a real local AWS API (DynamoDB, Secrets
// Manager, SQS), for the tests of packages that talk to AWS.
package moto

import (
	"bytes"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// Start runs moto_server (a local AWS API) on a free loopback port until
// the test ends and returns its URL. Without moto_server the test is
// skipped, unless CI is set: there its absence is a failure.
func Start(t testing.TB) string {
	t.Helper()
	bin, err := exec.LookPath("moto_server")
	if err != nil {
		msg := "moto_server not found on PATH; install it (pip install 'moto[server]') to run the tests that use a local AWS API"
		if os.Getenv("CI") == "" {
			t.Skip(msg + " (they are required when CI is set)")
		}
		t.Fatal(msg + " (CI is set, so this is a failure)")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
	l.Close()

	var out bytes.Buffer
	cmd := exec.Command(bin, "-H", "127.0.0.1", "-p", port)
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // a shim may fork: stop the group
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-exited
	})

	url := "http://127.0.0.1:" + port
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := client.Get(url + "/moto-api/")
		if err == nil {
			resp.Body.Close()
			return url
		}
		select {
		case <-exited:
			t.Fatalf("moto_server exited: %s", out.String())
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("moto_server did not answer on %s within 30s: %v\n%s", url, err, out.String())
		}
	}
}
