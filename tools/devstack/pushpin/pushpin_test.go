package pushpin

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/faas-grip/faas-grip-go/tools/devstack/devtest"
	"github.com/faas-grip/faas-grip-go/tools/devstack/proc"
)

// origin answers every request with a long-poll hold on channel "test" and
// remembers the last Grip-Sig it saw.
func origin(t *testing.T) (*httptest.Server, chan string) {
	sigs := make(chan string, 16)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case sigs <- r.Header.Get("Grip-Sig"):
		default:
		}
		w.Header().Set("Grip-Hold", "response")
		w.Header().Set("Grip-Channel", "test")
		w.Header().Set("Grip-Timeout", "20")
		w.Header().Set("Content-Type", "text/plain")
		_, _ = io.WriteString(w, "timed out\n")
	}))
	t.Cleanup(srv.Close)
	return srv, sigs
}

func startInstance(t *testing.T, originAddr string) *Instance {
	t.Helper()
	ports := devtest.FreePorts(t, 2)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	i, err := Start(ctx, Config{
		Origin: originAddr, HTTPPort: ports[0], ControlPort: ports[1],
		Output: devtest.NewOutput(t, "pushpin"),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = i.Stop() })
	return i
}

func TestProxyPublishAndSignature(t *testing.T) {
	devtest.RequirePushpin(t)
	srv, sigs := origin(t)
	originAddr := strings.TrimPrefix(srv.URL, "http://")

	// Two instances side by side must not collide on any port or socket.
	a := startInstance(t, originAddr)
	b := startInstance(t, originAddr)
	if a.SigKey() == b.SigKey() || len(a.SigKey()) != 64 {
		t.Errorf("signing keys %q and %q: want two fresh 32-byte keys", a.SigKey(), b.SigKey())
	}

	for _, inst := range []*Instance{a, b} {
		// A long-poll held by Pushpin, then released by a publish.
		got := poll(inst)

		var sig string
		select {
		case sig = <-sigs:
		case <-time.After(10 * time.Second):
			t.Fatal("the request did not reach the origin")
		}
		checkGripSig(t, sig, inst.SigKey())

		item := `{"items":[{"channel":"test","formats":{"http-response":{"body":"published\n"}}}]}`
		publishUntilDelivered(t, inst, item, got, "published\n")
	}
}

// poll sends a long-poll through inst; its body (or error) comes on the channel.
func poll(inst *Instance) chan string {
	got := make(chan string, 1)
	go func() {
		resp, err := http.Get(inst.URL() + "/poll")
		if err != nil {
			got <- err.Error()
			return
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		got <- string(body)
	}()
	return got
}

// publishUntilDelivered publishes until the held request gets the item: the
// subscription may lag the request reaching the origin by a moment.
func publishUntilDelivered(t *testing.T, inst *Instance, item string, got chan string, want string) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		resp, err := http.Post(inst.ControlURL()+"/publish/", "application/json", strings.NewReader(item))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("publish: status %d", resp.StatusCode)
		}
		select {
		case body := <-got:
			if body != want {
				t.Fatalf("client got %q, want %q", body, want)
			}
			return
		case <-time.After(200 * time.Millisecond):
		case <-deadline:
			t.Fatal("the published item never reached the held client")
		}
	}
}

// checkGripSig verifies an HS256 JWT by hand: iss "pushpin", exp in the future.
func checkGripSig(t *testing.T, token, key string) {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("Grip-Sig %q is not a JWT", token)
	}
	mac := hmac.New(sha256.New, []byte(key))
	mac.Write([]byte(parts[0] + "." + parts[1]))
	if want := base64.RawURLEncoding.EncodeToString(mac.Sum(nil)); parts[2] != want {
		t.Fatal("Grip-Sig is not signed with the instance's key")
	}
	payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
	var claims struct {
		Iss string `json:"iss"`
		Exp int64  `json:"exp"`
	}
	if err := json.Unmarshal(payload, &claims); err != nil || claims.Iss != SigIssuer || claims.Exp < time.Now().Unix() {
		t.Errorf("Grip-Sig claims %s", payload)
	}
}

func TestStopLeavesNothingBehind(t *testing.T) {
	devtest.RequirePushpin(t)
	srv, _ := origin(t)
	i := startInstance(t, strings.TrimPrefix(srv.URL, "http://"))
	if !strings.Contains(i.GripURL(), "verify-iss=pushpin&verify-key="+i.SigKey()) {
		t.Errorf("GripURL %q", i.GripURL())
	}
	tree := i.Tree()
	if len(tree) < 5 {
		t.Errorf("want the runner and its four services, got %v", tree)
	}
	start := time.Now()
	if err := i.Stop(); err != nil {
		t.Fatal(err)
	}
	t.Logf("Stop took %v", time.Since(start))
	for _, pid := range tree {
		if proc.Alive(pid) {
			t.Errorf("process %d survived Stop", pid)
		}
	}
	if _, err := os.Stat(i.Dir()); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("temp dir %s survived Stop: %v", i.Dir(), err)
	}
}

func TestPortInUse(t *testing.T) {
	devtest.RequirePushpin(t)
	srv, _ := origin(t)
	busy, _ := strconv.Atoi(srv.URL[strings.LastIndexByte(srv.URL, ':')+1:])
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := Start(ctx, Config{Origin: "127.0.0.1:1", HTTPPort: busy, ControlPort: devtest.FreePorts(t, 1)[0]})
	var setupErr *SetupError
	if !errors.As(err, &setupErr) || !strings.Contains(err.Error(), "in use") {
		t.Errorf("Start on a busy port: %v", err)
	}
}
