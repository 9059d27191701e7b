package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/faas-grip/faas-grip-go/tools/devstack/devtest"
	"github.com/faas-grip/faas-grip-go/tools/devstack/proc"
)

// TestDevCommand runs `make dev`'s program as a user would, and checks that
// Ctrl-C (SIGINT) and closing the terminal (SIGHUP) stop everything it
// started and remove its temp dirs (a hangup used to leave 37 MB behind).
// The first run has client tokens on (-client-tokens): the token its
// banner prints opens a stream, and no token does not.
func TestDevCommand(t *testing.T) {
	needs(t, "ChatFunction")
	stack(t) // skips with the others when pushpin is missing
	for _, tc := range []struct {
		name   string
		sig    syscall.Signal
		tokens bool
	}{
		{"Ctrl-C, client tokens on", syscall.SIGINT, true},
		{"terminal closed", syscall.SIGHUP, false},
	} {
		t.Run(tc.name, func(t *testing.T) { runDevAndStop(t, tc.sig, tc.tokens) })
	}
}

func runDevAndStop(t *testing.T, sig syscall.Signal, tokens bool) {
	ctx := testContext(t, 3*time.Minute)
	var args []string
	if tokens {
		args = append(args, "-client-tokens", "-token-user", "carol", "-token-channels", "news*")
	}
	dev := startDev(t, ctx, root, args...)
	p := dev.p

	resp, err := http.Get(dev.proxy + "/chat")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(page), "<title>faas-grip chat</title>") {
		t.Fatalf("GET /chat through Pushpin: %d %.200s", resp.StatusCode, page)
	}

	if tokens {
		checkDevToken(t, dev.proxy, dev.banner)
	}

	// dev, Pushpin's runner and its four services, and the chat function.
	tree := p.Tree()
	if len(tree) < 7 {
		t.Errorf("process tree %v: want dev, pushpin and 4 services, and a function", tree)
	}

	if err := syscall.Kill(p.Pid(), sig); err != nil {
		t.Fatal(err)
	}
	select {
	case <-p.Done():
	case <-time.After(30 * time.Second):
		t.Fatalf("make dev did not stop within 30s of %v", sig)
	}
	if err := p.Err(); err != nil {
		t.Errorf("make dev exited with %v", err)
	}
	for _, pid := range tree {
		if proc.Alive(pid) {
			t.Errorf("process %d outlived make dev", pid)
		}
	}
	left, _ := os.ReadDir(dev.tmp)
	for _, e := range left {
		t.Errorf("make dev left %s behind", filepath.Join(dev.tmp, e.Name()))
	}
}

// devRun is `make dev`'s program running in a test.
type devRun struct {
	p              *proc.Process
	proxy, control string // Pushpin's client and control URLs
	banner         string // stdout up to the end of the banner
	lines          <-chan string
	tmp            string // its TMPDIR
	history        string // its HISTORY_DIR
}

// startDev builds `make dev`'s program, runs it on the project in dir with
// args on free ports, and returns once its banner is out. Its stdout after
// the banner comes in lines; the process is stopped at cleanup.
func startDev(t *testing.T, ctx context.Context, dir string, args ...string) *devRun {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "dev")
	if out, err := exec.CommandContext(ctx, "go", "build", "-o", bin, "../cmd/dev").CombinedOutput(); err != nil {
		t.Fatalf("go build ./tools/cmd/dev: %v\n%s", err, out)
	}
	// Its own TMPDIR, short for Pushpin's sockets: whatever is left in it
	// after the stop was left behind.
	tmp, err := os.MkdirTemp("", "e2e-dev-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(tmp) })

	ports := devtest.FreePorts(t, 3)
	args = append([]string{"-no-install", "-dir", dir,
		"-api-port", strconv.Itoa(ports[0]), "-proxy-port", strconv.Itoa(ports[1]), "-control-port", strconv.Itoa(ports[2])}, args...)
	cmd := exec.Command(bin, args...)
	// HISTORY_DIR: keep the history out of the source tree's .build/local.
	hist := t.TempDir()
	cmd.Env = append(os.Environ(), "TMPDIR="+tmp, "HISTORY_DIR="+hist)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = devtest.NewOutput(t, "make dev")
	p, err := proc.Start(cmd)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Stop(time.Second) })

	// The banner ends with its last paragraph, or the token's with tokens.
	last := "Pushpin's control API at "
	if slices.Contains(args, "-client-tokens") {
		last = "Mint others with:"
	}
	up := make(chan string, 1)
	lines := make(chan string, 256)
	go func() {
		var banner strings.Builder
		sc := bufio.NewScanner(stdout)
		for inBanner := true; sc.Scan(); {
			if !inBanner {
				select {
				case lines <- sc.Text():
				default: // nobody reads them
				}
				continue
			}
			banner.WriteString(sc.Text() + "\n")
			if strings.HasPrefix(sc.Text(), last) {
				up <- banner.String()
				inBanner = false
			}
		}
		_, _ = io.Copy(io.Discard, stdout)
	}()
	dev := &devRun{p: p, lines: lines, tmp: tmp, history: hist,
		proxy:   "http://127.0.0.1:" + strconv.Itoa(ports[1]),
		control: "http://127.0.0.1:" + strconv.Itoa(ports[2])}
	select {
	case dev.banner = <-up:
	case <-p.Done():
		t.Fatalf("make dev exited: %s", p.ExitDescription())
	case <-ctx.Done():
		t.Fatal("make dev did not come up")
	}
	return dev
}

// checkDevToken reads the token make dev's banner printed and opens a
// stream with it; without it the stream is refused.
func checkDevToken(t *testing.T, proxy, banner string) {
	t.Helper()
	_, after, _ := strings.Cut(banner, "A token for carol, granting news* (12 hours):\n")
	token := strings.TrimSpace(strings.SplitN(after, "\n", 2)[0])
	if strings.Count(token, ".") != 2 {
		t.Fatalf("no token in the banner:\n%s", banner)
	}
	if _, ok := stack(t).Template.Function("StreamFunction"); !ok {
		return
	}
	for _, tc := range []struct {
		header string
		want   int
	}{{"", http.StatusUnauthorized}, {"Bearer " + token, http.StatusOK}} {
		req, _ := http.NewRequest(http.MethodGet, proxy+"/stream?channel=news-dev", nil)
		if tc.header != "" {
			req.Header.Set("Authorization", tc.header)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Errorf("stream (token sent: %v): status %d, want %d", tc.header != "", resp.StatusCode, tc.want)
		}
	}
}

// TestMakeInvokeStdoutIsJSON runs `make invoke` as the README shows it and
// reads all of stdout as one JSON document, as `| jq` would: make must echo
// nothing there, and logs and timings go to stderr.
func TestMakeInvokeStdoutIsJSON(t *testing.T) {
	needs(t, "ChatFunction")
	s := stack(t)
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("make is not installed")
	}
	ctx := testContext(t, 3*time.Minute)
	cmd := exec.CommandContext(ctx, "make", "--no-print-directory", "invoke", "FN=ChatFunction", "EVENT=events/chat-message.json")
	cmd.Dir = root
	// The sample event is signed with Pushpin's default key; publish to
	// this suite's Pushpin (tests skip chat messages they do not expect).
	cmd.Env = append(os.Environ(),
		"GRIP_URL="+s.ControlURL()+"?verify-iss=pushpin&verify-key=changeme",
		"HISTORY_DIR="+t.TempDir())
	var stdout strings.Builder
	cmd.Stdout = &stdout
	cmd.Stderr = devtest.NewOutput(t, "make invoke")
	if err := cmd.Run(); err != nil {
		t.Fatalf("make invoke: %v; stdout %q", err, stdout.String())
	}
	dec := json.NewDecoder(strings.NewReader(stdout.String()))
	var resp map[string]any
	if err := dec.Decode(&resp); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, stdout.String())
	}
	if _, err := dec.Token(); err != io.EOF {
		t.Fatalf("stdout has more than one JSON document: %q", stdout.String())
	}
	if resp["statusCode"] != float64(200) {
		t.Errorf("response %v, want statusCode 200", resp)
	}
}
