package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/faas-grip/faas-grip-go/tools/devstack"
	"github.com/faas-grip/faas-grip-go/tools/devstack/devtest"
	"github.com/faas-grip/faas-grip-go/tools/devstack/pushpin"
	"github.com/faas-grip/faas-grip-go/tools/template"
)

// The API's name in the README's placeholders, as a user fills them in.
const (
	hookupAPIID  = "abc123"
	hookupRegion = "us-east-1"
	hookupDomain = hookupAPIID + ".execute-api." + hookupRegion + ".amazonaws.com"
)

// TestProxyHookup proves the README's Pushpin route lines: each runs in a
// real Pushpin in front of the local gateway in deployed mode (which, like
// API Gateway, answers 403 to any Host but the API's own and serves REST
// routes only under /Prod/), with only the target's address changed from
// the API's to the local gateway's. The repository's template gets the whole
// tour (chat, stream, long-poll); fixtures of both kinds of API prove the
// other line whatever template.yaml has.
func TestProxyHookup(t *testing.T) {
	needs(t, "ChatFunction", "LongpollFunction", "PublishFunction", "StreamFunction")
	shared := stack(t)
	lines := readmeRouteLines(t, filepath.Join(root, "README.md"))

	for _, tc := range []struct {
		name, template string
		tour           bool // chat too, with two clients
	}{
		{"template.yaml", filepath.Join(root, "template.yaml"), true},
		{"REST API fixture", "testdata/proxyhookup/rest.yaml", false},
		{"HTTP API fixture", "testdata/proxyhookup/httpapi.yaml", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := testContext(t, 2*time.Minute)
			tpl, err := template.Load(tc.template)
			if err != nil {
				t.Fatal(err)
			}
			kind := routesKind(t, tpl)
			line := lines[kind]
			t.Logf("%s routes: README line %q", kind, line)

			ports := devtest.FreePorts(t, 1)
			gateway := "127.0.0.1:" + strconv.Itoa(ports[0])
			route := pointAt(t, line, gateway)
			s := startHookupStack(t, ctx, shared, tc.template, ports[0], route)

			proxy := s.ProxyURL()
			streamAndPoll(t, ctx, s, proxy)
			if tc.tour {
				chatThrough(t, ctx, proxy, s.ControlURL())
			}

			// The stand-in is strict: the same line without host= sends
			// Pushpin's own Host, which API Gateway refuses.
			noHost := withoutOption(t, route, "host=")
			p := startPushpin(t, ctx, noHost)
			resp, body := get(t, ctx, p.URL()+"/stream?channel=x")
			if resp.StatusCode != http.StatusForbidden || strings.TrimSpace(body) != `{"message":"Forbidden"}` {
				t.Errorf("without host=: %d %q, want 403 {\"message\":\"Forbidden\"}", resp.StatusCode, body)
			}
		})
	}
}

// readmeRouteLines returns the one line of each fenced block of the README
// whose info string is pushpin-routes (HTTP API) or pushpin-routes-rest
// (REST API), with the README's placeholders filled in.
func readmeRouteLines(t *testing.T, path string) map[template.APIKind]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	blocks := map[string][]string{}
	var in string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		l := strings.TrimSpace(sc.Text())
		switch {
		case in == "" && strings.HasPrefix(l, "```"):
			in = strings.TrimPrefix(l, "```")
			if in == "" {
				in = "-" // a block without an info string
			}
		case in != "" && l == "```":
			in = ""
		case in != "" && l != "":
			blocks[in] = append(blocks[in], l)
		}
	}
	fill := strings.NewReplacer("<api-id>", hookupAPIID, "<region>", hookupRegion)
	out := map[template.APIKind]string{}
	for info, kind := range map[string]template.APIKind{"pushpin-routes": template.KindHTTPAPI, "pushpin-routes-rest": template.KindRestAPI} {
		if len(blocks[info]) != 1 {
			t.Fatalf("README: want one line in the ```%s block, found %q", info, blocks[info])
		}
		out[kind] = fill.Replace(blocks[info][0])
		if strings.ContainsAny(out[kind], "<>") {
			t.Fatalf("README's %s line has a placeholder this test does not know: %q", info, out[kind])
		}
	}
	return out
}

// routesKind is the kind of API of every route of tpl.
func routesKind(t *testing.T, tpl *template.Template) template.APIKind {
	t.Helper()
	var kind template.APIKind
	for _, fn := range tpl.Functions {
		for _, ev := range fn.APIEvents {
			if kind != "" && ev.Kind != kind {
				t.Fatalf("routes of both kinds (%s, %s): one Pushpin line cannot serve both", kind, ev.Kind)
			}
			kind = ev.Kind
		}
	}
	if kind == "" {
		t.Fatal("no Api or HttpApi routes")
	}
	return kind
}

// pointAt changes the route line's target from the API's address
// (<domain>:443 with ssl) to addr without TLS, keeping every other option
// and every condition.
func pointAt(t *testing.T, line, addr string) string {
	t.Helper()
	conditions, targets, ok := strings.Cut(line, " ")
	if !ok {
		t.Fatalf("route line %q: want conditions, a space, then the target", line)
	}
	opts := strings.Split(targets, ",")
	if opts[0] != hookupDomain+":443" {
		t.Fatalf("route line %q: the target is %q, want %s:443", line, opts[0], hookupDomain)
	}
	kept := []string{addr}
	sawSSL := false
	for _, o := range opts[1:] {
		if o == "ssl" {
			sawSSL = true // no TLS locally
			continue
		}
		kept = append(kept, o)
	}
	if !sawSSL {
		t.Fatalf("route line %q: no ssl option; API Gateway only speaks HTTPS", line)
	}
	return conditions + " " + strings.Join(kept, ",")
}

// withoutOption drops the target option starting with prefix.
func withoutOption(t *testing.T, line, prefix string) string {
	t.Helper()
	conditions, targets, _ := strings.Cut(line, " ")
	var kept []string
	for _, o := range strings.Split(targets, ",") {
		if !strings.HasPrefix(o, prefix) {
			kept = append(kept, o)
		}
	}
	if len(kept) == len(strings.Split(targets, ",")) {
		t.Fatalf("route line %q has no %s option", line, prefix)
	}
	return conditions + " " + strings.Join(kept, ",")
}

// startHookupStack runs the functions of tplPath (built by the shared
// stack) behind the gateway in deployed mode, with Pushpin on route.
func startHookupStack(t *testing.T, ctx context.Context, shared *devstack.Stack, tplPath string, apiPort int, route string) *devstack.Stack {
	t.Helper()
	logs := newLogBuffer()
	s, err := devstack.Start(ctx, devstack.Options{
		Dir:          root,
		Template:     tplPath,
		Binaries:     shared.Binaries(),
		APIPort:      apiPort,
		Domain:       hookupDomain,
		PushpinRoute: route,
		Env: map[string]string{
			"HISTORY_DIR":      t.TempDir(),
			"LONGPOLL_TIMEOUT": longpollTimeout.String(),
		},
		FunctionOutput: logs,
		PushpinOutput:  logs,
		Logger:         slog.New(slog.NewTextHandler(logs, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = s.Close()
		if t.Failed() {
			t.Logf("the stack's log:\n%s", logs.tail(32<<10))
		}
	})
	return s
}

// startPushpin runs a Pushpin with route and nothing else.
func startPushpin(t *testing.T, ctx context.Context, route string) *pushpin.Instance {
	t.Helper()
	ports := devtest.FreePorts(t, 2)
	p, err := pushpin.Start(ctx, pushpin.Config{Route: route, HTTPPort: ports[0], ControlPort: ports[1], Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Stop() })
	return p
}

func get(t *testing.T, ctx context.Context, u string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// streamAndPoll opens a stream and a long-poll through proxy, publishes
// one message with the stack's publish function, and checks both get it.
func streamAndPoll(t *testing.T, ctx context.Context, s *devstack.Stack, proxy string) {
	t.Helper()
	channel := uniqueChannel("hookup")
	st := openStreamURL(t, ctx, proxy+"/stream?channel="+channel, nil)
	if got := st.next(); got != "streaming "+channel {
		t.Fatalf("stream opened with %q", got)
	}

	polls := make(chan string, 1)
	go func() {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, proxy+"/longpoll?"+url.Values{"channel": {channel}}.Encode(), nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			polls <- "error: " + err.Error()
			return
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		polls <- fmt.Sprintf("%d %s", resp.StatusCode, b)
	}()

	// The poll is held once Pushpin has the function's answer, which the
	// client cannot see: publish until it is released.
	var released string
	for attempt := 1; released == "" && attempt <= 20; attempt++ {
		msg := fmt.Sprintf("through the README's line %d", attempt)
		out, err := s.Invoke(ctx, "PublishFunction", []byte(`{"messages":[{"channel":"`+channel+`","text":"`+msg+`"}]}`))
		if err != nil {
			t.Fatalf("PublishFunction: %v (%s)", err, out)
		}
		if got := st.next(); got != msg {
			t.Fatalf("stream: got %q, want %q", got, msg)
		}
		select {
		case released = <-polls:
		case <-time.After(300 * time.Millisecond):
		}
	}
	status, body, _ := strings.Cut(released, " ")
	var p poll
	if status != "200" || json.Unmarshal([]byte(body), &p) != nil || len(p.Messages) != 1 {
		t.Fatalf("long-poll: %q", released)
	}
}

// chatThrough connects two WebSocket clients through proxy, renames one
// and checks a message reaches both.
func chatThrough(t *testing.T, ctx context.Context, proxy, controlURL string) {
	t.Helper()
	dial := func(name string) *chatClient { return dialChatThrough(t, ctx, proxy, controlURL, name) }
	alice, bob := dial("alice"), dial("bob")
	alice.send(ctx, "/nick alice")
	alice.expect(ctx, chatNotice("nick-changed", "you are now known as alice"))
	alice.send(ctx, "hello through the README's line")
	for _, c := range []*chatClient{alice, bob} {
		c.expect(ctx, chatMessage("alice", "hello through the README's line"))
	}
}
