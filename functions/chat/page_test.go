package main

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/faas-grip/faas-grip-go/internal/grip/apigw"
	"github.com/faas-grip/faas-grip-go/tools/eventtest"
)

// Finding 6: the page comes with a Content-Security-Policy that allows its
// own inline script and style by hash and nothing else, cannot be framed,
// is not sniffed and sends no referrer.
func TestChatPageSecurityHeaders(t *testing.T) {
	h, _ := newHandler(t, map[string]string{"GRIP_URL": testGripURL})
	for _, method := range []string{"GET", "HEAD"} {
		resp, _ := h.Handle(t.Context(), &apigw.Request{Method: method, Header: http.Header{}})
		csp := resp.Header.Get("Content-Security-Policy")
		want := []string{
			"default-src 'none'",
			"script-src " + hashSource(t, "script"),
			"style-src " + hashSource(t, "style"),
			"connect-src 'self'",
			"frame-ancestors 'none'",
			"base-uri 'none'",
			"form-action 'none'",
		}
		for _, w := range want {
			if !strings.Contains(csp, w+";") && !strings.HasSuffix(csp, w) {
				t.Errorf("%s: Content-Security-Policy %q lacks %q", method, csp, w)
			}
		}
		if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
			t.Errorf("%s: the policy allows inline code: %q", method, csp)
		}
		for k, v := range map[string]string{"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY"} {
			if got := resp.Header.Get(k); got != v {
				t.Errorf("%s: %s = %q, want %q", method, k, got, v)
			}
		}
	}
}

// hashSource is the CSP source of the page's one inline <tag> element,
// computed here apart from the code under test.
func hashSource(t *testing.T, tag string) string {
	t.Helper()
	m := regexp.MustCompile(`(?s)<`+tag+`>(.*?)</`+tag+`>`).FindAllSubmatch(chatPage, -1)
	if len(m) != 1 {
		t.Fatalf("the page has %d inline <%s> elements, want 1", len(m), tag)
	}
	sum := sha256.Sum256(m[0][1])
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}

// Every text response of the chat says nosniff, errors included.
func TestChatTextResponsesAreNotSniffed(t *testing.T) {
	h, _ := newHandler(t, map[string]string{"GRIP_URL": testGripURL})
	unsigned := wohRequest(t, nil, "hi")
	unsigned.Header.Del("Grip-Sig")
	notWoH := wohRequest(t, nil, "hi")
	notWoH.Header.Set("Content-Type", "text/plain")
	for name, r := range map[string]*apigw.Request{
		"page":         {Method: "GET", Header: http.Header{}},
		"bad method":   {Method: "PUT", Header: http.Header{}},
		"unsigned":     unsigned,
		"not WoH":      notWoH,
		"bad WoH body": func() *apigw.Request { r := wohRequest(t, nil); r.Body = []byte("TEXT zz\r\n"); return r }(),
	} {
		resp, _ := eventtest.Serve(t, h.Lambda, r)
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/") {
			t.Errorf("%s: Content-Type %q, expected a text response", name, ct)
		}
		if got := resp.Header.Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("%s (%d): X-Content-Type-Options %q, want nosniff", name, resp.Status, got)
		}
	}
}

// The page renders by frame type and never as HTML.
func TestChatPageRendersByType(t *testing.T) {
	page := string(chatPage)
	for _, want := range []string{`frame.type === "notice"`, `frame.type === "message"`, "textContent"} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	for _, banned := range []string{"innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "error: "} {
		if strings.Contains(page, banned) {
			t.Errorf("the page uses %q", banned)
		}
	}
}

// The page takes a client token from its own URL to the WebSocket's, drops
// it from the address bar, and has no way to print it (the browser test
// shows it working).
func TestChatPageToken(t *testing.T) {
	page := string(chatPage)
	for _, want := range []string{`params.get("access_token")`, "history.replaceState(", `query.set("access_token", token)`} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	for _, banned := range []string{"console.", "alert(", "localStorage", "sessionStorage"} {
		if strings.Contains(page, banned) {
			t.Errorf("the page uses %q", banned)
		}
	}
}
