// Package e2e holds the end-to-end tests: the real function binaries, run
// through the Lambda Runtime API behind the local API Gateway, behind a
// real Pushpin, driven by real clients (WebSocket, HTTP streaming and
// long-polling, and a headless Chromium). Run them with `go test ./tools/e2e/` (or `make e2e`).
//
// They need pushpin (and chromium for the browser test). Without them the
// tests skip with the install command; with CI set they fail instead.
package e2e
