package e2e

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/faas-grip/faas-grip-go/tools/template"
)

// hs256 signs claims as Pushpin signs Grip-Sig.
func hs256(key, claims string) string {
	enc := base64.RawURLEncoding
	unsigned := enc.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`)) + "." + enc.EncodeToString([]byte(claims))
	mac := hmac.New(sha256.New, []byte(key))
	mac.Write([]byte(unsigned))
	return unsigned + "." + enc.EncodeToString(mac.Sum(nil))
}

// publicRoutes are the routes whose function exempts them from Grip-Sig
// (edge.PublicMethods): they serve only public content. A fork that makes
// another route public adds it here, on purpose.
var publicRoutes = map[string]string{
	"GET /chat": "ChatFunction", // the chat page
}

// Requests that reach the local API Gateway without Pushpin's Grip-Sig are
// refused on every route of template.yaml, a fork's included; the same
// request signed with the instance's key reaches the function.
func TestDirectRequestsNeedGripSig(t *testing.T) {
	s := stack(t)
	exp := time.Now().Add(time.Hour).Unix()
	valid := hs256(s.Pushpin().SigKey(), `{"iss":"pushpin","exp":`+itoa(exp)+`}`)
	routes := templateRoutes(t)
	if len(routes) == 0 {
		t.Skip("template.yaml has no API route")
	}

	for _, tc := range []struct {
		name, sig string
		want      int // 0: anything the function answers, but a refusal
	}{
		{"no Grip-Sig", "", http.StatusUnauthorized},
		{"signed with the stock key", hs256("changeme", `{"iss":"pushpin","exp":`+itoa(exp)+`}`), http.StatusForbidden},
		{"expired", hs256(s.Pushpin().SigKey(), `{"iss":"pushpin","exp":1700000000}`), http.StatusForbidden},
		{"wrong issuer", hs256(s.Pushpin().SigKey(), `{"iss":"someone","exp":`+itoa(exp)+`}`), http.StatusForbidden},
		{"not a JWT", "garbage", http.StatusForbidden},
		{"valid", valid, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, r := range routes {
				if fn, public := publicRoutes[r.method+" "+r.path]; public && fn == r.function {
					if tc.want != 0 {
						t.Logf("%s %s (%s): public, served without Grip-Sig", r.method, r.path, r.function)
						continue
					}
				}
				status, body := directRequest(t, s.APIURL(), r, tc.sig)
				switch {
				case tc.want != 0 && status != tc.want:
					t.Errorf("%s %s (%s): status %d, want %d (%s)", r.method, r.path, r.function, status, tc.want, body)
				case tc.want == 0 && (status == http.StatusUnauthorized || status == http.StatusForbidden || status >= 500):
					t.Errorf("%s %s (%s): status %d for a valid Grip-Sig (%s)", r.method, r.path, r.function, status, body)
				}
			}
		})
	}
}

// route is one method and path of template.yaml's API events.
type route struct{ function, method, path string }

// templateRoutes lists every API route of template.yaml: ANY as GET and
// POST, a path parameter as "x", the $default route as /anything.
func templateRoutes(t *testing.T) []route {
	t.Helper()
	tmpl, err := projectTemplate()
	if err != nil {
		t.Fatal(err)
	}
	var routes []route
	for _, fn := range tmpl.Functions {
		for _, ev := range fn.APIEvents {
			path := regexp.MustCompile(`\{[^}]*\}`).ReplaceAllString(ev.Path, "x")
			if ev.Path == template.DefaultRoute {
				path = "/anything"
			}
			methods := []string{ev.Method}
			if ev.Method == "ANY" || ev.Method == "" {
				methods = []string{http.MethodGet, http.MethodPost}
			}
			for _, m := range methods {
				routes = append(routes, route{fn.LogicalID, m, path})
			}
		}
	}
	return routes
}

// directRequest sends what a forger would to the API without the proxy: a
// POST looks like WebSocket-over-HTTP (an OPEN with a forged connection id).
func directRequest(t *testing.T, apiURL string, r route, sig string) (int, string) {
	t.Helper()
	body := ""
	if r.method == http.MethodPost {
		body = "OPEN\r\n"
	}
	req, err := http.NewRequest(r.method, apiURL+r.path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if r.method == http.MethodPost {
		req.Header.Set("Content-Type", "application/websocket-events")
		req.Header.Set("Accept", "application/websocket-events")
		req.Header.Set("Connection-Id", "forged")
	}
	if sig != "" {
		req.Header.Set("Grip-Sig", sig)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(answer)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
