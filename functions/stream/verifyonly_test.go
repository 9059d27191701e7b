package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// The stream function only verifies Grip-Sig, so main serves it VerifyOnly: a
// GRIP URL carrying the publish credential (the one chat and publish get)
// stops its cold start, and the log line says what to remove without the
// credential. main runs in a child process, as Lambda runs it; its GRIP URL
// without a credential gets past the cold start to lambda.Start, which
// exits outside Lambda.
func TestMainRefusesThePublishCredential(t *testing.T) {
	if os.Getenv("STREAM_TEST_MAIN") == "1" {
		main()
		return
	}
	const token = "tok_SECRET_publish_credential"
	for _, tc := range []struct {
		gripURL string
		refused bool
	}{
		{testGripURL + "&key=" + token, true},
		{"http://bob:" + token + "@127.0.0.1:5561?verify-iss=pushpin&verify-key=changeme", true},
		{testGripURL, false},
	} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestMainRefusesThePublishCredential$")
		cmd.Env = []string{"STREAM_TEST_MAIN=1", "GRIP_URL=" + tc.gripURL}
		var stdout bytes.Buffer
		cmd.Stdout = &stdout
		err := cmd.Run()
		var exit *exec.ExitError
		if !errors.As(err, &exit) {
			t.Fatalf("%s: main returned (%v), want an exit", tc.gripURL, err)
		}
		var line struct{ Msg, Error string }
		_ = json.Unmarshal(bytes.TrimSpace(stdout.Bytes()), &line)
		switch {
		case !tc.refused && line.Msg == "cold start failed":
			t.Errorf("%s: cold start failed: %s", tc.gripURL, line.Error)
		case tc.refused && (line.Msg != "cold start failed" || !strings.Contains(line.Error, "publish credential")):
			t.Errorf("%s: stdout %q, want the cold start refused for its publish credential", tc.gripURL, stdout.String())
		}
		if strings.Contains(stdout.String(), token) || strings.Contains(stdout.String(), "bob") {
			t.Errorf("stdout %q repeats the credential", stdout.String())
		}
	}
}
