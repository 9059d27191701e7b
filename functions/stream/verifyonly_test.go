package main

import (
	"testing"

	"github.com/faas-grip/faas-grip-go/tools/eventtest"
)

// The stream function only verifies Grip-Sig: main serves it with
// edge.VerifyOnly, so a GRIP URL with the publish credential stops its cold
// start (main runs in a child process, as Lambda runs it).
func TestMainRefusesThePublishCredential(t *testing.T) {
	if eventtest.MainChild() {
		main()
		return
	}
	eventtest.CheckVerifyOnlyMain(t, testGripURL)
}
