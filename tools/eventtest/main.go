package eventtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// mainChildEnv marks the child process RunMain starts.
const mainChildEnv = "EVENTTEST_RUN_MAIN"

// MainChild reports whether this test process is the child RunMain
// started: the test then calls the function's main and returns.
func MainChild() bool { return os.Getenv(mainChildEnv) == "1" }

// RunMain runs the current test again in a child process, with env as its
// whole environment, as Lambda runs a function's main, and returns what it
// wrote on stdout. The child must exit: main never returns. Its logs are
// JSON, as template.yaml's LoggingConfig has Lambda set
// AWS_LAMBDA_LOG_FORMAT (env may say otherwise).
func RunMain(t *testing.T, env ...string) string {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^"+t.Name()+"$")
	cmd.Env = append([]string{mainChildEnv + "=1", "AWS_LAMBDA_LOG_FORMAT=JSON"}, env...)
	var stdout bytes.Buffer
	cmd.Stdout = &stdout
	err := cmd.Run()
	var exit *exec.ExitError
	if !errors.As(err, &exit) {
		t.Fatalf("main returned (%v), want an exit", err)
	}
	return stdout.String()
}

// CheckVerifyOnlyMain checks a function that only verifies Grip-Sig (main
// serves it with edge.VerifyOnly): a GRIP URL carrying the publish
// credential (the one chat and publish get) stops its cold start with a
// line saying what to remove, without the credential; verifyURL, without
// one, gets past the cold start to lambda.Start, which exits outside Lambda.
// The test calls it after `if eventtest.MainChild() { main(); return }`.
func CheckVerifyOnlyMain(t *testing.T, verifyURL string) {
	t.Helper()
	const token = "tok_SECRET_publish_credential"
	for _, tc := range []struct {
		gripURL string
		refused bool
	}{
		{verifyURL + "&key=" + token, true},
		{"http://bob:" + token + "@127.0.0.1:5561?verify-iss=pushpin&verify-key=changeme", true},
		{verifyURL, false},
	} {
		stdout := RunMain(t, "GRIP_URL="+tc.gripURL)
		var line struct{ Message, Error string } // lambdacontext's keys
		_ = json.Unmarshal([]byte(strings.TrimSpace(stdout)), &line)
		switch {
		case !tc.refused && line.Message == "cold start failed":
			t.Errorf("%s: cold start failed: %s", tc.gripURL, line.Error)
		case tc.refused && (line.Message != "cold start failed" || !strings.Contains(line.Error, "publish credential")):
			t.Errorf("%s: stdout %q, want the cold start refused for its publish credential", tc.gripURL, stdout)
		}
		if strings.Contains(stdout, token) || strings.Contains(stdout, "bob") {
			t.Errorf("stdout %q repeats the credential", stdout)
		}
	}
}
