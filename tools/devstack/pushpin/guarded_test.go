package pushpin

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/faas-grip/faas-grip-go/tools/devstack/devtest"
)

// TestGuarded checks what a web page in the developer's browser can do to
// a running instance: nothing. A cross-origin text/plain POST (a form any
// page can submit) does not publish, and a request with a foreign Host
// (DNS rebinding) is not served, while programs publish as before.
func TestGuarded(t *testing.T) {
	devtest.RequirePushpin(t)
	srv, sigs := origin(t)
	inst := startInstance(t, strings.TrimPrefix(srv.URL, "http://"))

	got := poll(inst)
	select {
	case <-sigs:
	case <-time.After(10 * time.Second):
		t.Fatal("the request did not reach the origin")
	}
	time.Sleep(200 * time.Millisecond) // let the hold subscribe

	forged := `{"items":[{"channel":"test","formats":{"http-response":{"body":"forged\n"}}}]}`
	req, _ := http.NewRequest(http.MethodPost, inst.ControlURL()+"/publish/", strings.NewReader(forged))
	req.Header.Set("Content-Type", "text/plain")
	req.Header.Set("Origin", "https://evil.example")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("cross-origin text/plain publish: status %d, want 403", resp.StatusCode)
	}
	select {
	case body := <-got:
		t.Fatalf("the held client got %q from a cross-origin publish", body)
	case <-time.After(500 * time.Millisecond):
	}

	req, _ = http.NewRequest(http.MethodGet, inst.URL()+"/poll", nil)
	req.Host = "rebind.evil.example"
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("foreign Host on the client port: status %d, want 403", resp.StatusCode)
	}

	publishUntilDelivered(t, inst, `{"items":[{"channel":"test","formats":{"http-response":{"body":"published\n"}}}]}`, got, "published\n")
}
