//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"

	"github.com/faas-grip/faas-grip-go/tools/devstack"
	"github.com/faas-grip/faas-grip-go/tools/devstack/devtest"
	"github.com/faas-grip/faas-grip-go/tools/devstack/sqspoll"
	"github.com/faas-grip/faas-grip-go/tools/moto"
	"github.com/faas-grip/faas-grip-go/tools/smoke"
)

// TestSmoke runs README's make smoke commands against make dev in deployed
// mode (the real Pushpin, the local API Gateway as strict as the real one,
// moto_server for the queues and for CloudFormation): they pass, from the
// stack's outputs in CloudFormation and from the file make dev writes; and
// smoke fails, naming the hop, when the proxy's route lacks host=, when the
// publish queue is another one, when Grip-Sig is not required, and when
// the dead-letter queue holds a message. One stack serves every case but
// the Grip-Sig one, which needs its own (RequireGripSig=false).
func TestSmoke(t *testing.T) {
	needs(t, "ChatFunction", "LongpollFunction", "PublishFunction", "StreamFunction")
	stack(t) // skips with the others when pushpin is missing
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("make is not installed")
	}
	ctx := testContext(t, 2*time.Minute)
	commands := readmeSmokeCommands(t)
	smokeBin := filepath.Join(t.TempDir(), "smoke")
	built := make(chan error, 1)
	go func() { // while moto_server starts
		out, err := exec.CommandContext(ctx, "go", "build", "-o", smokeBin, "../cmd/smoke").CombinedOutput()
		if err != nil {
			err = fmt.Errorf("go build ./tools/cmd/smoke: %v\n%s", err, out)
		}
		built <- err
	}()
	endpoint := moto.Start(t)
	if err := <-built; err != nil {
		t.Fatal(err)
	}
	// README's make dev line, on this test's ports, SQS endpoint and file.
	// Meanwhile, in this process, the stack without Grip-Sig required.
	noSig := make(chan [2]string, 1)
	go func() {
		p, o := startNoSigStack(t, ctx)
		noSig <- [2]string{p, o}
	}()
	outputs := filepath.Join(t.TempDir(), "outputs.json")
	run := startDev(t, ctx, root, append(commands.devFlags(t, endpoint), "-outputs", outputs)...)
	waitOutputs(t, ctx, run, outputs)
	dev := struct{ proxy, outputs string }{run.proxy, outputs}
	ns := <-noSig
	if ns[0] == "" {
		t.FailNow()
	}
	devNoSig := struct{ proxy, outputs string }{ns[0], ns[1]}
	outs, err := smoke.ReadOutputsFile(dev.outputs)
	if err != nil {
		t.Fatal(err)
	}
	awsEnv := []string{"AWS_ENDPOINT_URL=" + endpoint, "AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test",
		"AWS_EC2_METADATA_DISABLED=true", "AWS_CONFIG_FILE=" + os.DevNull, "AWS_SHARED_CREDENTIALS_FILE=" + os.DevNull}

	t.Run("deployed stack, outputs from CloudFormation", func(t *testing.T) {
		name := "smoke-" + strconv.FormatInt(time.Now().UnixNano(), 36)
		createStack(t, ctx, endpoint, name, dev.outputs)
		out, code := runMake(t, ctx, awsEnv, commands.fill(t, "STACK", map[string]string{
			"STACK": name, "AWS_REGION": "us-east-1", "PROXY_URL": dev.proxy}))
		expectSmoke(t, out, code, 0, nil)
		// REGION stands for AWS_REGION.
		out, code = runMake(t, ctx, awsEnv, []string{"smoke", "STACK=" + name, "REGION=us-east-1", "PROXY_URL=" + dev.proxy})
		expectSmoke(t, out, code, 0, nil)
	})
	t.Run("make dev's outputs file", func(t *testing.T) {
		if !slices.Contains(commands.words(), "OUTPUTS="+devstack.OutputsFile) {
			t.Errorf("README's make smoke line does not read make dev's file: want OUTPUTS=%s in %q", devstack.OutputsFile, commands.lines)
		}
		out, code := runMake(t, ctx, nil, commands.fill(t, "OUTPUTS", map[string]string{
			"OUTPUTS": dev.outputs, "PROXY_URL": dev.proxy}))
		expectSmoke(t, out, code, 0, nil)
	})
	t.Run("proxy route without host=", func(t *testing.T) {
		// The line make dev gave Pushpin, less its host=: Pushpin then
		// sends its own Host, which API Gateway refuses.
		apiPort := strings.TrimSuffix(strings.TrimPrefix(outs["ApiUrl"], "http://127.0.0.1:"), "/")
		p := startPushpin(t, ctx, "* 127.0.0.1:"+apiPort+",over_http")
		out, code := runSmoke(t, ctx, smokeBin, "-outputs", dev.outputs, "-proxy", p.URL(), "-wait", "3s")
		hostHint := "proxy→API Gateway: .*403 Forbidden.*the proxy route lacks host=" + regexp.QuoteMeta(hookupDomain)
		expectSmoke(t, out, code, 1, map[int]string{2: hostHint, 3: hostHint})
	})
	t.Run("another queue", func(t *testing.T) {
		client := sqspoll.NewClient(endpoint, "us-east-1")
		other, err := sqspoll.CreateQueues(ctx, client, []sqspoll.Queue{{LogicalID: "Other", Name: "smoke-other"}}, sqspoll.CreateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		wrong := writeOutputs(t, outs, "PublishQueueUrl", other["Other"].URL)
		// Through make, as README says to wait longer (here shorter).
		out, code := runMake(t, ctx, nil, []string{"smoke", "OUTPUTS=" + wrong, "PROXY_URL=" + dev.proxy, "SMOKE_FLAGS=-wait 3s"})
		// make exits 2 when its command failed (smoke: 1).
		expectSmoke(t, out, code, 2, map[int]string{3: "publish queue→publish function: the message is still in .*smoke-other after 3s.*nothing reads that queue"})
	})
	t.Run("Grip-Sig not required", func(t *testing.T) {
		// That stack has no queues: checks 3 and 4 skip.
		out, code := runSmoke(t, ctx, smokeBin, "-outputs", devNoSig.outputs, "-proxy", devNoSig.proxy, "-wait", "3s")
		expectSmoke(t, out, code, 1, map[int]string{1: "Grip-Sig not required: GET .* with a forged Grip-Sig was served \\(200\\)", 3: "^skip", 4: "^skip"})
	})
	t.Run("dead-letter queue not empty", func(t *testing.T) {
		var q smoke.SQS
		if err := q.SendMessage(ctx, outs["PublishDeadLetterQueueUrl"], `{"channel":"x"}`); err != nil {
			t.Fatal(err)
		}
		out, code := runSmoke(t, ctx, smokeBin, "-outputs", dev.outputs, "-proxy", dev.proxy, "-wait", "3s")
		expectSmoke(t, out, code, 1, map[int]string{4: "1 message\\(s\\) in the dead-letter queue"})
	})
}

// smokeCommands are README's smoke commands (Operate, Smoke test).
type smokeCommands struct{ lines []string }

// readmeSmokeCommands reads the make dev and make smoke lines of README's
// Smoke test section.
func readmeSmokeCommands(t *testing.T) smokeCommands {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(b), "\n### Smoke test\n")
	if !ok {
		t.Fatal("README has no ### Smoke test section")
	}
	section, _, _ = strings.Cut(section, "\n#") // the next section, of any level
	var c smokeCommands
	for _, l := range strings.Split(section, "\n") {
		if strings.HasPrefix(l, "make smoke ") || strings.HasPrefix(l, "make dev ") {
			c.lines = append(c.lines, l)
		}
	}
	return c
}

// words are the words of every line.
func (c smokeCommands) words() []string {
	var w []string
	for _, l := range c.lines {
		w = append(w, strings.Fields(l)...)
	}
	return w
}

// devFlags are the DEV_FLAGS of README's make dev line, with this test's
// SQS endpoint and free ports, and HISTORY_DIR and the outputs file out of
// the source tree (startDev adds them).
func (c smokeCommands) devFlags(t *testing.T, sqsEndpoint string) []string {
	t.Helper()
	for _, l := range c.lines {
		if v, ok := strings.CutPrefix(l, `make dev DEV_FLAGS="`); ok {
			args := strings.Fields(strings.TrimSuffix(v, `"`))
			for i, a := range args {
				if a == "-sqs-endpoint" && i+1 < len(args) {
					args[i+1] = sqsEndpoint
				}
			}
			if !strings.Contains(v, "-api-domain "+hookupDomain) || !strings.Contains(v, "-sqs-endpoint") {
				t.Fatalf("README's make dev line %q: want -api-domain %s and -sqs-endpoint", l, hookupDomain)
			}
			return args
		}
	}
	t.Fatalf("README's Smoke test has no make dev DEV_FLAGS=\"...\" line (have %q)", c.lines)
	return nil
}

// fill returns the arguments of README's make smoke line that sets key,
// each VAR=value with this test's value; a variable the test does not know
// fails it.
func (c smokeCommands) fill(t *testing.T, key string, values map[string]string) []string {
	t.Helper()
	for _, l := range c.lines {
		words := strings.Fields(l)
		if len(words) < 2 || words[1] != "smoke" || !strings.Contains(l, " "+key+"=") {
			continue
		}
		args := []string{"smoke"}
		for _, w := range words[2:] {
			name, _, ok := strings.Cut(w, "=")
			v, known := values[name]
			if !ok || !known {
				t.Fatalf("README's line %q: %q is no variable this test fills", l, w)
			}
			args = append(args, name+"="+v)
		}
		return args
	}
	t.Fatalf("README's Smoke test has no make smoke line with %s= (have %q)", key, c.lines)
	return nil
}

// waitOutputs waits for make dev's line saying how make smoke reads its
// outputs file, written by then.
func waitOutputs(t *testing.T, ctx context.Context, run *devRun, outputs string) {
	t.Helper()
	for {
		select {
		case l := <-run.lines:
			if strings.TrimSpace(l) == "make smoke OUTPUTS="+outputs+" PROXY_URL="+strings.Replace(run.proxy, "127.0.0.1", "localhost", 1) {
				return
			}
		case <-run.p.Done():
			t.Fatalf("make dev exited: %s", run.p.ExitDescription())
		case <-ctx.Done():
			t.Fatal("make dev wrote no outputs")
		}
	}
}

// startNoSigStack runs the functions make dev built for the suite in
// deployed mode, as a stack deployed with RequireGripSig=false and a
// GripVerifyUrl without verify-key: the functions then serve requests
// without Grip-Sig. (With a verify key they still check it.) It writes the
// stack's outputs as make dev does, and returns Pushpin's URL and the file
// ("" after reporting an error: it runs outside the test's goroutine).
func startNoSigStack(t *testing.T, ctx context.Context) (proxy, outputs string) {
	ports := devtest.FreePorts(t, 1)
	logs := devtest.NewOutput(t, "the stack without Grip-Sig required")
	s, err := devstack.Start(ctx, devstack.Options{
		Dir:         root,
		Binaries:    stack(t).Binaries(),
		Domain:      hookupDomain,
		ControlPort: ports[0],
		Parameters:  map[string]string{"RequireGripSig": "false"},
		Env: map[string]string{
			"GRIP_URL":    "http://127.0.0.1:" + strconv.Itoa(ports[0]), // no verify-key
			"HISTORY_DIR": t.TempDir(),
		},
		FunctionOutput: logs,
		PushpinOutput:  logs,
		Logger:         slog.New(slog.NewTextHandler(logs, nil)),
	})
	if err != nil {
		t.Errorf("the stack without Grip-Sig required: %v", err)
		return "", ""
	}
	t.Cleanup(func() { _ = s.Close() })
	outs, _, err := s.Outputs(nil)
	outputs = filepath.Join(t.TempDir(), "outputs.json")
	if err == nil {
		err = devstack.WriteOutputs(outputs, outs)
	}
	if err != nil {
		t.Errorf("the stack without Grip-Sig required: outputs: %v", err)
		return "", ""
	}
	return s.ProxyURL(), outputs
}

// createStack creates a stack in moto's CloudFormation whose outputs are
// those of the file: what DescribeStacks gives for a deployed stack.
func createStack(t *testing.T, ctx context.Context, endpoint, name, outputsFile string) {
	t.Helper()
	b, err := os.ReadFile(outputsFile)
	if err != nil {
		t.Fatal(err)
	}
	var list []map[string]string
	if err := json.Unmarshal(b, &list); err != nil {
		t.Fatal(err)
	}
	outputs := map[string]any{}
	for _, o := range list {
		outputs[o["OutputKey"]] = map[string]string{"Value": o["OutputValue"], "Description": o["Description"]}
	}
	body, _ := json.Marshal(map[string]any{
		"Resources": map[string]any{"Handle": map[string]string{"Type": "AWS::CloudFormation::WaitConditionHandle"}},
		"Outputs":   outputs,
	})
	cfn := cloudformation.New(cloudformation.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(endpoint),
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""),
	})
	if _, err := cfn.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String(name), TemplateBody: aws.String(string(body))}); err != nil {
		t.Fatal(err)
	}
}

// writeOutputs writes outs, with key set to value, as make dev does.
func writeOutputs(t *testing.T, outs smoke.Outputs, key, value string) string {
	t.Helper()
	var list []map[string]string
	for k, v := range outs {
		if k == key {
			v = value
		}
		list = append(list, map[string]string{"OutputKey": k, "OutputValue": v})
	}
	b, _ := json.Marshal(list)
	path := filepath.Join(t.TempDir(), "outputs.json")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// runMake runs make in the repository with args and extra environment.
func runMake(t *testing.T, ctx context.Context, env []string, args []string) (string, int) {
	t.Helper()
	cmd := exec.CommandContext(ctx, "make", append([]string{"--no-print-directory"}, args...)...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "AWS_REGION=", "REGION=") // only what args say
	cmd.Env = append(cmd.Env, env...)
	t.Logf("make %s", strings.Join(args, " "))
	return runCmd(t, cmd)
}

// runSmoke runs the smoke command with args.
func runSmoke(t *testing.T, ctx context.Context, bin string, args ...string) (string, int) {
	t.Helper()
	return runCmd(t, exec.CommandContext(ctx, bin, args...))
}

func runCmd(t *testing.T, cmd *exec.Cmd) (string, int) {
	t.Helper()
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		return string(out), exit.ExitCode()
	case err != nil:
		t.Fatalf("%s: %v\n%s", cmd, err, out)
	}
	return string(out), 0
}

// expectSmoke checks smoke's exit status and its lines: check n's line
// matches fails[n] (a FAIL line unless the pattern says ^skip), every
// other check's line is ok.
func expectSmoke(t *testing.T, out string, code, wantCode int, fails map[int]string) {
	t.Helper()
	t.Logf("smoke said:\n%s", out)
	if code != wantCode {
		t.Errorf("exit status %d, want %d", code, wantCode)
	}
	line := regexp.MustCompile(`(?m)^(ok|FAIL|skip) +(\d)/4 .*$`)
	seen := 0
	for _, m := range line.FindAllStringSubmatch(out, -1) {
		seen++
		n, _ := strconv.Atoi(m[2])
		want, failing := fails[n]
		switch {
		case !failing && m[1] != "ok":
			t.Errorf("check %d: want ok, got %q", n, m[0])
		case failing && strings.HasPrefix(want, "^skip"):
			if m[1] != "skip" {
				t.Errorf("check %d: want skip, got %q", n, m[0])
			}
		case failing && (m[1] != "FAIL" || !regexp.MustCompile(want).MatchString(m[0])):
			t.Errorf("check %d: want a FAIL line matching %q, got %q", n, want, m[0])
		}
	}
	if seen != 4 {
		t.Errorf("%d check lines, want 4", seen)
	}
	if verdict := map[bool]string{true: "smoke: passed", false: "smoke: FAILED"}[wantCode == 0]; !strings.Contains(out, verdict) {
		t.Errorf("no %q line", verdict)
	}
	if strings.Contains(out, "key=") {
		t.Errorf("smoke printed a key:\n%s", out)
	}
}
