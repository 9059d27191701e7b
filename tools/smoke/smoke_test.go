package smoke

import (
	"net/http"
	"strings"
	"testing"
)

func TestSmokeReadOutputs(t *testing.T) {
	list := `[{"OutputKey":"ApiUrl","OutputValue":"https://abc.execute-api.us-east-1.amazonaws.com/","Description":"d"}]`
	whole := `{"Stacks":[{"StackName":"s","Outputs":` + list + `}]}`
	for name, data := range map[string]string{"make dev's list": list, "describe-stacks": whole} {
		out, err := ReadOutputs([]byte(data))
		if err != nil || out["ApiUrl"] != "https://abc.execute-api.us-east-1.amazonaws.com/" {
			t.Errorf("%s: %v, %v", name, out, err)
		}
	}
	if _, err := ReadOutputs([]byte(`{"Stacks":[]}`)); err == nil {
		t.Error("no stack: no error")
	}
}

// TestSmokeClientPath: clients use the route's path below the API's base,
// so a REST API's stage stays the proxy's to add.
func TestSmokeClientPath(t *testing.T) {
	for _, tc := range []struct{ api, route, want string }{
		{"https://a.execute-api.us-east-1.amazonaws.com/", "https://a.execute-api.us-east-1.amazonaws.com/stream", "/stream"},
		{"https://a.execute-api.us-east-1.amazonaws.com/Prod/", "https://a.execute-api.us-east-1.amazonaws.com/Prod/stream", "/stream"},
		{"", "http://127.0.0.1:3000/chat", "/chat"},
	} {
		got, err := Outputs{"ApiUrl": tc.api, "StreamUrl": tc.route}.clientPath("StreamUrl")
		if err != nil || got != tc.want {
			t.Errorf("ApiUrl %q, route %q: %q, %v; want %q", tc.api, tc.route, got, err, tc.want)
		}
	}
}

// TestSmokeProxyAnswer: each failing answer through the proxy names its hop.
func TestSmokeProxyAnswer(t *testing.T) {
	c := &checker{outputs: Outputs{"ApiDomain": "abc.execute-api.us-east-1.amazonaws.com"}}
	bearer := http.Header{"Www-Authenticate": {`Bearer error="invalid_token"`}}
	for _, tc := range []struct {
		status     int
		header     http.Header
		body, hop  string
		mentioning string
	}{
		{403, nil, `{"message":"Forbidden"}`, hopProxyAPI, "lacks host=abc.execute-api.us-east-1.amazonaws.com"},
		{404, nil, `{"message":"Not Found"}`, hopProxyAPI, "changes the path"},
		{401, nil, "this endpoint must be reached through a GRIP proxy", hopAPIFunction, "not a GRIP proxy"},
		{401, bearer, "", hopAPIFunction, "client tokens"},
		{403, nil, "invalid Grip-Sig", hopAPIFunction, "verify-key"},
		{500, nil, "server misconfigured: ...", hopAPIFunction, "no verify-key"},
		{503, nil, `{"message":"Service Unavailable"}`, hopAPIFunction, "failed, timed out or was throttled"},
		{502, nil, "Error while proxying to origin.", hopProxyAPI, "could not reach the API"},
	} {
		err := c.proxyAnswer("GET /stream", tc.status, tc.header, []byte(tc.body))
		if err.Hop != tc.hop || !strings.Contains(err.Msg, tc.mentioning) {
			t.Errorf("%d %q: %v; want hop %s mentioning %q", tc.status, tc.body, err, tc.hop, tc.mentioning)
		}
	}
}

// TestSmokeProxyURLNotShown: a PROXY_URL that is wrong is refused without
// showing its password.
func TestSmokeProxyURLNotShown(t *testing.T) {
	for _, u := range []string{"https://user:s3cret@[::1", "ftp://user:s3cret@example.com"} {
		_, err := Run(t.Context(), Config{ProxyURL: u})
		if err == nil || strings.Contains(err.Error(), "s3cret") {
			t.Errorf("PROXY_URL %q: %v; want an error without the password", u, err)
		}
	}
}
