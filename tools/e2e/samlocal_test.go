package e2e

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/faas-grip/faas-grip-go/tools/devstack/devtest"
	"github.com/faas-grip/faas-grip-go/tools/devstack/pushpin"
)

// samLine is one row of README's table of `sam local invoke` lines.
type samLine struct {
	function, event string
	expect          []string // the backticked fragments of the "answers" column
}

var samLineRow = regexp.MustCompile("^\\| `sam local invoke (\\w+) +-e (events/[\\w.-]+\\.json)` \\| (.+) \\|$")

// readmeSamLines reads every `sam local invoke` row of README.md.
func readmeSamLines(t *testing.T) []samLine {
	t.Helper()
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	var lines []samLine
	for _, row := range strings.Split(string(readme), "\n") {
		m := samLineRow.FindStringSubmatch(row)
		if m == nil {
			if strings.Contains(row, "sam local invoke") && strings.HasPrefix(row, "|") {
				t.Errorf("README row not in the form | `sam local invoke Fn -e events/x.json` | answers |: %s", row)
			}
			continue
		}
		var expect []string
		for _, f := range regexp.MustCompile("`([^`]+)`").FindAllStringSubmatch(m[3], -1) {
			expect = append(expect, f[1])
		}
		if len(expect) == 0 {
			t.Errorf("README: %s %s documents no answer in backticks", m[1], m[2])
		}
		lines = append(lines, samLine{function: m[1], event: m[2], expect: expect})
	}
	return lines
}

// TestReadmeSamLocalInvoke replays every `sam local invoke` line of the
// README under sam's rules, as make invoke runs them: the function gets only
// the variables the template declares, overridden by the shipped
// events/env.json, with AWS_SAM_LOCAL and default credentials. A real Pushpin
// listens where env.json points the functions (the host's port 5561), and
// the history directory is emptied before each line, as each sam invoke
// runs in a new container. Each answer must hold every fragment README
// documents for it, and every sample event must have its line.
func TestReadmeSamLocalInvoke(t *testing.T) {
	if skipWhy != "" {
		t.Skip(skipWhy)
	}
	lines := readmeSamLines(t)
	if len(lines) == 0 {
		t.Fatal("README has no `sam local invoke` lines")
	}
	events, _ := filepath.Glob(filepath.Join(root, "events", "*.json"))
	for _, e := range events {
		name := "events/" + filepath.Base(e)
		if name != "events/env.json" && !slices.ContainsFunc(lines, func(l samLine) bool { return l.event == name }) {
			t.Errorf("README has no `sam local invoke` line for %s", name)
		}
	}

	envVars := readEnvJSON(t)
	port, historyDir := envVars.pushpinPort(t), envVars.historyDir(t)
	ctx := testContext(t, 4*time.Minute)
	ports := devtest.FreePorts(t, 2)
	pp, err := pushpin.Start(ctx, pushpin.Config{
		Origin: "127.0.0.1:" + strconv.Itoa(ports[0]), HTTPPort: ports[1], ControlPort: port,
		Output: devtest.NewOutput(t, "pushpin"),
	})
	if err != nil {
		t.Fatalf("a Pushpin where events/env.json says (port %d; is another one running?): %v", port, err)
	}
	t.Cleanup(func() { pp.Stop() })

	invoke := filepath.Join(t.TempDir(), "invoke")
	if out, err := exec.CommandContext(ctx, "go", "build", "-o", invoke, "../cmd/invoke").CombinedOutput(); err != nil {
		t.Fatalf("building cmd/invoke: %v\n%s", err, out)
	}
	for _, l := range lines {
		t.Run(l.function+" "+l.event, func(t *testing.T) {
			needs(t, l.function)
			if err := os.RemoveAll(historyDir); err != nil {
				t.Fatal(err)
			}
			got := samInvoke(ctx, t, invoke, l)
			for _, want := range l.expect {
				if !strings.Contains(got, want) {
					t.Errorf("the answer lacks %q, as README documents it:\n%s", want, got)
				}
			}
		})
	}
	os.RemoveAll(historyDir)
}

// samInvoke runs one line with the shipped env.json only (no GRIP_URL or
// HISTORY_DIR of this process reaches the function) and renders the answer.
func samInvoke(ctx context.Context, t *testing.T, invoke string, l samLine) string {
	t.Helper()
	cmd := exec.CommandContext(ctx, invoke, "-fn", l.function, "-event", l.event, "-env-vars", "events/env.json")
	cmd.Dir = root
	cmd.Env = slices.DeleteFunc(os.Environ(), func(kv string) bool {
		name, _, _ := strings.Cut(kv, "=")
		return name == "GRIP_URL" || name == "HISTORY_DIR" || name == "ENV_VARS"
	})
	cmd.Stderr = devtest.NewOutput(t, "invoke")
	out, err := cmd.Output()
	if err != nil && len(out) == 0 {
		t.Fatalf("invoke: %v", err)
	}
	return renderAnswer(t, out)
}

// renderAnswer shows an API Gateway response as "status N", "Name: value"
// header lines and the decoded body; any other answer as its JSON.
func renderAnswer(t *testing.T, out []byte) string {
	t.Helper()
	var resp struct {
		StatusCode      int               `json:"statusCode"`
		Headers         map[string]string `json:"headers"`
		Body            string            `json:"body"`
		IsBase64Encoded bool              `json:"isBase64Encoded"`
	}
	if err := json.Unmarshal(out, &resp); err != nil {
		t.Fatalf("the answer is not JSON: %v\n%s", err, out)
	}
	if resp.StatusCode == 0 {
		return string(out)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "status %d\n", resp.StatusCode)
	for _, k := range slices.Sorted(func(yield func(string) bool) {
		for k := range resp.Headers {
			if !yield(k) {
				return
			}
		}
	}) {
		fmt.Fprintf(&b, "%s: %s\n", k, resp.Headers[k])
	}
	body := []byte(resp.Body)
	if resp.IsBase64Encoded {
		var err error
		if body, err = base64.StdEncoding.DecodeString(resp.Body); err != nil {
			t.Fatalf("body is not base64: %v", err)
		}
	}
	b.WriteString("\n")
	b.Write(body)
	return b.String()
}

// envJSON is events/env.json, as sam reads it.
type envJSON map[string]map[string]string

func readEnvJSON(t *testing.T) envJSON {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, "events", "env.json"))
	if err != nil {
		t.Fatal(err)
	}
	var e envJSON
	if err := json.Unmarshal(b, &e); err != nil {
		t.Fatalf("events/env.json: %v", err)
	}
	return e
}

// pushpinPort is the control port of the GRIP_URL env.json gives.
func (e envJSON) pushpinPort(t *testing.T) int {
	t.Helper()
	u, err := url.Parse(e["Parameters"]["GRIP_URL"])
	if err != nil || u.Port() == "" {
		t.Fatalf("events/env.json: GRIP_URL %q has no port", e["Parameters"]["GRIP_URL"])
	}
	port, _ := strconv.Atoi(u.Port())
	return port
}

// historyDir is the HISTORY_DIR env.json gives (one for all functions).
func (e envJSON) historyDir(t *testing.T) string {
	t.Helper()
	var dir string
	for _, vars := range e {
		if d := vars["HISTORY_DIR"]; d != "" {
			if dir != "" && d != dir {
				t.Fatalf("events/env.json: two HISTORY_DIRs, %s and %s", dir, d)
			}
			dir = d
		}
	}
	if !filepath.IsAbs(dir) {
		t.Fatalf("events/env.json: HISTORY_DIR %q, want an absolute directory (in the container)", dir)
	}
	return dir
}
