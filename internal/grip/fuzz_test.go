package grip

import (
	"encoding/base64"
	"net/url"
	"strings"
	"testing"
)

// FuzzParseURL checks that parseURL never panics, that what it accepts is
// a usable endpoint, and that a secret placed where credentials go never
// shows in an error or in String. Seeds: testdata/fuzz/FuzzParseURL.
func FuzzParseURL(f *testing.F) {
	f.Add("http://localhost:5561", "abcdefgh1")
	f.Add("https://api.fastly.com/service/SID", "tokenTOKEN99")
	f.Fuzz(func(t *testing.T, raw, secret string) {
		if len(raw) > 4096 {
			return
		}
		ep, err := parseURL(raw)
		if err == nil {
			checkParsedEndpoint(t, raw, ep)
		} else if _, ok := err.(*urlError); !ok {
			t.Fatalf("parseURL(%q) error is %T, want *urlError", raw, err)
		}

		secret = keepAlphanumeric(secret)
		if len(secret) < 8 || strings.Contains(raw, secret) {
			return
		}
		sep := "?"
		if strings.Contains(raw, "?") {
			sep = "&"
		}
		encoded := base64.StdEncoding.EncodeToString([]byte(secret))
		for _, withSecret := range []string{
			raw + sep + "key=" + secret,
			raw + sep + "iss=me&key=base64:" + encoded,
			raw + sep + "verify-key=" + secret,
			raw + sep + "verify-key=base64:" + encoded,
			"http://user:" + secret + "@" + strings.TrimPrefix(raw, "http://"),
		} {
			ep, err := parseURL(withSecret)
			var shown string
			if err != nil {
				shown = err.Error()
			} else {
				shown = ep.String()
			}
			if strings.Contains(shown, secret) || strings.Contains(shown, encoded) {
				t.Fatalf("parseURL(%q) shows the secret: %q", withSecret, shown)
			}
		}
	})
}

// checkParsedEndpoint checks an accepted URL gives a control URI that is an
// http(s) URL with a host, no credentials and no fragment.
func checkParsedEndpoint(t *testing.T, raw string, ep Endpoint) {
	t.Helper()
	u, err := url.Parse(ep.ControlURI)
	if err != nil {
		t.Fatalf("parseURL(%q).ControlURI = %q does not parse: %v", raw, ep.ControlURI, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil || u.Fragment != "" {
		t.Fatalf("parseURL(%q).ControlURI = %q is not a bare http(s) URL", raw, ep.ControlURI)
	}
	if ep.Issuer != "" && len(ep.Key) == 0 {
		t.Fatalf("parseURL(%q) has an issuer without a key", raw)
	}
	if len(ep.Key) > 0 && (ep.Username != "" || ep.Password != "") {
		t.Fatalf("parseURL(%q) has both a key and a password", raw)
	}
	if len(ep.Key) >= 8 && strings.Contains(ep.String(), string(ep.Key)) && !strings.Contains(ep.ControlURI+ep.Issuer+ep.Username+ep.VerifyIssuer, string(ep.Key)) {
		t.Fatalf("parseURL(%q).String() shows the key: %q", raw, ep.String())
	}
	// A Publisher must accept every endpoint parseURL returns.
	p := NewPublisher(Config{Endpoints: []Endpoint{ep}})
	if p.targets[0].err != nil {
		t.Fatalf("parseURL(%q) gave an endpoint the Publisher refuses: %v", raw, p.targets[0].err)
	}
}

func keepAlphanumeric(s string) string {
	return strings.Map(func(r rune) rune {
		if ('a' <= r && r <= 'z') || ('A' <= r && r <= 'Z') || ('0' <= r && r <= '9') {
			return r
		}
		return -1
	}, s)
}
