package grip

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"reflect"
	"strings"
	"testing"
)

// Secrets used in test URLs: no error, String or log may contain them.
const (
	testToken    = "tok_SECRET_fastly_1234"
	testPassword = "PASSWORD_s3cret"
	testPlainKey = "plainSECRETkey"
)

// testKey is a binary key whose base64 form contains '+' and '/'.
var testKey = []byte("\xfb\xef\xbe\xff\xfe\xfd-realm-SECRET-key")

func testKeyBase64(t *testing.T) string {
	t.Helper()
	s := base64.StdEncoding.EncodeToString(testKey)
	if !strings.Contains(s, "+") {
		t.Fatalf("test key %q has no '+' in base64", s)
	}
	return s
}

// testPEM is a fresh P-256 public key in PEM.
func testPEM(t *testing.T) string {
	t.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKIXPublicKey(&priv.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

func TestParseURL(t *testing.T) {
	b64 := testKeyBase64(t)
	pemKey := testPEM(t)
	// The PEM as people paste it: spaces as '+', line breaks as spaces.
	mangledPEM := strings.ReplaceAll(strings.ReplaceAll(pemKey, "-----BEGIN PUBLIC KEY-----", "-----BEGIN+PUBLIC+KEY-----"), "\n", " ")
	jwk := `{"kty":"EC","crv":"P-256","x":"abc","y":"def"}`

	tests := []struct {
		name string
		raw  string
		want Endpoint
	}{
		{"pushpin without path", "http://localhost:5561",
			Endpoint{ControlURI: "http://localhost:5561"}},
		{"root path slash dropped", "http://localhost:5561/",
			Endpoint{ControlURI: "http://localhost:5561"}},
		{"only one trailing slash dropped", "http://h/a/b//",
			Endpoint{ControlURI: "http://h/a/b/"}},
		{"surrounding space", "  http://localhost:5561\n",
			Endpoint{ControlURI: "http://localhost:5561"}},
		{"upper-case scheme", "HTTP://localhost:5561",
			Endpoint{ControlURI: "http://localhost:5561"}},
		{"ipv6 host", "http://[::1]:5561/",
			Endpoint{ControlURI: "http://[::1]:5561"}},
		{"fanout cloud, base64 key with a literal +",
			"https://api.fanout.io/realm/myrealm?iss=myrealm&key=base64:" + b64,
			Endpoint{ControlURI: "https://api.fanout.io/realm/myrealm", Issuer: "myrealm", Key: testKey}},
		{"fanout cloud, + percent-encoded",
			"https://api.fanout.io/realm/myrealm/?iss=myrealm&key=base64:" + url.QueryEscape(b64),
			Endpoint{ControlURI: "https://api.fanout.io/realm/myrealm", Issuer: "myrealm", Key: testKey}},
		{"fanout cloud, + form-decoded into a space",
			"https://api.fanout.io/realm/myrealm?iss=myrealm&key=base64:" + strings.ReplaceAll(b64, "+", "%20"),
			Endpoint{ControlURI: "https://api.fanout.io/realm/myrealm", Issuer: "myrealm", Key: testKey}},
		{"iss with a raw (not base64) key", "http://h/?iss=me&key=" + testPlainKey,
			Endpoint{ControlURI: "http://h", Issuer: "me", Key: []byte(testPlainKey)}},
		// Fastly's default verify key and issuer are the Grip-Sig policy's
		// (package sig): the endpoint keeps only what the URL says.
		{"fastly token alone",
			"https://api.fastly.com/service/SID123?key=" + testToken,
			Endpoint{ControlURI: "https://api.fastly.com/service/SID123", Key: []byte(testToken)}},
		{"fastly with explicit verify settings",
			"https://API.fastly.com/service/SID123/?key=" + testToken + "&verify-iss=custom&verify-key=" + url.QueryEscape(jwk),
			Endpoint{ControlURI: "https://API.fastly.com/service/SID123", Key: []byte(testToken),
				VerifyIssuer: "custom", VerifyKey: jwk}},
		{"fastly verify-only, port and trailing slash",
			"https://api.fastly.com:443/service/SID123/",
			Endpoint{ControlURI: "https://api.fastly.com:443/service/SID123"}},
		{"verify-key PEM percent-encoded", "http://h?verify-key=" + url.QueryEscape(pemKey),
			Endpoint{ControlURI: "http://h", VerifyKey: pemKey}},
		{"verify-key PEM mangled", "http://h?verify-key=" + mangledPEM,
			Endpoint{ControlURI: "http://h", VerifyKey: pemKey}},
		{"verify-key PEM with literal \\n", "http://h?verify-key=" + url.PathEscape(strings.ReplaceAll(pemKey, "\n", `\n`)),
			Endpoint{ControlURI: "http://h", VerifyKey: pemKey}},
		{"verify-key JWK percent-encoded", "http://h?verify-key=" + url.PathEscape(jwk),
			Endpoint{ControlURI: "http://h", VerifyKey: jwk}},
		{"verify-key JWK form-encoded", "http://h?verify-key=" + url.QueryEscape(`{"kty": "EC"}`),
			Endpoint{ControlURI: "http://h", VerifyKey: `{"kty": "EC"}`}},
		{"verify-key base64", "http://h?verify-key=base64:" + b64,
			Endpoint{ControlURI: "http://h", VerifyKey: "base64:" + b64}},
		{"verify-key plain secret", "http://h?verify-iss=pushpin&verify-key=changeme",
			Endpoint{ControlURI: "http://h", VerifyIssuer: "pushpin", VerifyKey: "changeme"}},
		{"user and password", "https://bob:" + url.PathEscape(testPassword+"@/") + "@proxy.example/grip/",
			Endpoint{ControlURI: "https://proxy.example/grip", Username: "bob", Password: testPassword + "@/"}},
		{"other query parameters kept as written",
			"http://h/p?foo=1&iss=i&bar=a%2Bb+c&key=" + testPlainKey + "&flag&baz=x%20y",
			Endpoint{ControlURI: "http://h/p?foo=1&bar=a%2Bb+c&flag&baz=x%20y", Issuer: "i", Key: []byte(testPlainKey)}},
		{"a raw space in a kept parameter is encoded", "http://h/p?a=b c",
			Endpoint{ControlURI: "http://h/p?a=b%20c"}},
		{"parameter names are case-insensitive", "http://h/?KEY=" + testToken,
			Endpoint{ControlURI: "http://h", Key: []byte(testToken)}},
		{"empty query parts ignored", "http://h/?&&key=" + testToken + "&",
			Endpoint{ControlURI: "http://h", Key: []byte(testToken)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseURL(tt.raw)
			if err != nil {
				t.Fatalf("parseURL: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("parseURL(%q)\n got %#v\nwant %#v\n(raw: %+v)", tt.raw, got, tt.want, fieldsOf(got))
			}
			assertNoSecret(t, "String", got.String())
		})
	}
}

// fieldsOf shows an Endpoint with its secrets, for test failures only.
func fieldsOf(e Endpoint) string {
	return fmt.Sprintf("ControlURI=%q Issuer=%q Key=%q User=%q Password=%q VerifyIssuer=%q VerifyKey=%q",
		e.ControlURI, e.Issuer, e.Key, e.Username, e.Password, e.VerifyIssuer, e.VerifyKey)
}

func assertNoSecret(t *testing.T, what, s string) {
	t.Helper()
	for _, secret := range []string{testToken, testPassword, testPlainKey, "SECRET", base64.StdEncoding.EncodeToString(testKey)} {
		if strings.Contains(s, secret) {
			t.Errorf("%s leaks a secret: %q", what, s)
		}
	}
}

func TestParseURLErrors(t *testing.T) {
	b64 := testKeyBase64(t)
	tests := []struct {
		name    string
		raw     string
		problem string // part of the message
	}{
		{"empty", "", "empty"},
		{"blank", "  \n", "empty"},
		{"no scheme", "localhost:5561?key=" + testToken, "no scheme"},
		{"no scheme, path only", testToken, "no scheme"},
		{"scheme without slashes", "http:localhost?key=" + testToken, "no scheme"},
		{"ftp scheme", "ftp://h/?key=" + testToken, "http or https"},
		{"no host", "http://?key=" + testToken, "no host"},
		{"port only", "http://:5561/?key=" + testToken, "no host"},
		{"bad port", "http://h:abc/?key=" + testToken, "not a valid URL"},
		{"space in password", "http://u:" + testPassword + " x@h/", "not a valid URL"},
		{"bad escape in host", "http://h%zz/?key=" + testToken, "not a valid URL"},
		{"fragment", "http://h/?key=" + testToken + "#frag", "fragment"},
		{"bad base64", "http://h/?iss=r&key=base64:" + testPlainKey + "!!", "not valid base64"},
		{"empty base64", "http://h/?iss=r&key=base64:", "empty"},
		{"empty key", "http://h/?key=", "key is empty"},
		{"bad escape in key", "http://h/?key=" + testToken + "%zz", "%-escape"},
		{"key twice", "http://h/?key=" + testToken + "&key=" + testPlainKey, "twice"},
		{"iss without key", "http://h/?iss=realm", "key is missing"},
		{"user:pass and key", "http://u:" + testPassword + "@h/?key=" + testToken, "use one"},
		{"binary key without iss", "http://h/?key=base64:" + b64, "Bearer"},
		{"newline in bearer key", "http://h/?key=" + testToken + "%0A", "Bearer"},
		{"verify-key bad base64", "http://h/?verify-key=base64:" + testPlainKey + "!!", "not valid base64"},
		{"verify-key bad PEM", "http://h/?verify-key=-----BEGIN+PUBLIC+KEY-----" + testPlainKey + "!-----END+PUBLIC+KEY-----", "PEM"},
		{"verify-key PEM without end", "http://h/?verify-key=-----BEGIN+PUBLIC+KEY-----" + testPlainKey, "PEM"},
		{"verify-key PEM without label end", "http://h/?verify-key=-----BEGIN" + testPlainKey, "PEM"},
		{"verify-key bad JWK", "http://h/?verify-key={" + testPlainKey, "JWK"},
		{"verify-key JWK without kty", "http://h/?verify-key=" + url.QueryEscape(`{"k":"`+testPlainKey+`"}`), "kty"},
		// Fastly signs every customer's Grip-Sig with one key: only the
		// service id in the path tells this origin's proxy apart.
		{"fastly without a path", "https://api.fastly.com?key=" + testToken, "/service/<SERVICE_ID>"},
		{"fastly, root path", "https://api.fastly.com/?key=" + testToken, "/service/<SERVICE_ID>"},
		{"fastly, service id missing", "https://api.fastly.com/service/?key=" + testToken, "/service/<SERVICE_ID>"},
		{"fastly, services typo", "https://api.fastly.com/services/SID123?key=" + testToken, "/service/<SERVICE_ID>"},
		{"fastly, path beyond the service", "https://API.fastly.com/service/SID123/publish/?key=" + testToken, "/service/<SERVICE_ID>"},
		{"fastly over http, verify only", "http://api.fastly.com/service//", "/service/<SERVICE_ID>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ep, err := parseURL(tt.raw)
			if err == nil {
				t.Fatalf("parseURL(%q) = %v, want an error", tt.raw, ep)
			}
			if !errors.Is(err, errInvalidURL) {
				t.Errorf("errors.Is(err, errInvalidURL) = false for %v", err)
			}
			var urlErr *urlError
			if !errors.As(err, &urlErr) {
				t.Errorf("error is %T, want *urlError", err)
			}
			if !strings.Contains(err.Error(), tt.problem) {
				t.Errorf("error %q does not mention %q", err, tt.problem)
			}
			assertNoSecret(t, "error", err.Error())
			if strings.Contains(err.Error(), "?") && !strings.Contains(tt.problem, "?") {
				t.Errorf("error shows a query string: %q", err)
			}
		})
	}
}

func TestEndpointRedaction(t *testing.T) {
	ep := Endpoint{
		ControlURI: "https://api.fanout.io/realm/r", Issuer: "r", Key: []byte(testPlainKey),
		Username: "bob", Password: testPassword, VerifyIssuer: "r", VerifyKey: testToken,
	}
	cfg := Config{Endpoints: []Endpoint{ep}, Prefix: "app-"}
	jsonBytes, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var logged bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logged, nil))
	logger.Info("config", "cfg", cfg, "endpoint", ep)
	slog.New(slog.NewTextHandler(&logged, nil)).Info("config", "cfg", cfg, "endpoint", ep)

	outputs := map[string]string{
		"String": ep.String(), "%v": fmt.Sprintf("%v", ep), "%+v": fmt.Sprintf("%+v", ep),
		"%#v": fmt.Sprintf("%#v", ep), "config %+v": fmt.Sprintf("%+v", cfg), "config %#v": fmt.Sprintf("%#v", cfg),
		"json": string(jsonBytes), "slog": logged.String(),
	}
	for what, out := range outputs {
		assertNoSecret(t, what, out)
		if !strings.Contains(out, "api.fanout.io") {
			t.Errorf("%s does not show the endpoint: %q", what, out)
		}
	}
	if want := "https://api.fanout.io/realm/r (auth=jwt iss=r key=redacted user=bob password=redacted verify-iss=r verify-key=set)"; ep.String() != want {
		t.Errorf("String() = %q, want %q", ep.String(), want)
	}
}

func TestEndpointAuthKind(t *testing.T) {
	tests := []struct {
		ep   Endpoint
		want string
	}{
		{Endpoint{}, "none"},
		{Endpoint{Issuer: "i", Key: []byte("k")}, "jwt"},
		{Endpoint{Key: []byte("k")}, "bearer"},
		{Endpoint{Username: "u"}, "basic"},
		{Endpoint{Password: "p"}, "basic"},
	}
	for _, tt := range tests {
		if got := tt.ep.authKind(); got != tt.want {
			t.Errorf("%v: authKind = %q, want %q", tt.ep, got, tt.want)
		}
	}
}

func TestParseConfig(t *testing.T) {
	jwk := `{"kty": "EC", "crv": "P-256", "x": "a", "y": "b"}`
	tests := []struct {
		name   string
		urls   string
		prefix string
		want   []string // control URIs
	}{
		{"empty", "", "", nil},
		{"blank", " \n ", "", nil},
		{"one", "http://localhost:5561", "", []string{"http://localhost:5561"}},
		{"comma", "http://a:1,http://b:2", "", []string{"http://a:1", "http://b:2"}},
		{"comma and spaces", " http://a:1 ,  https://b:2/ , ", "", []string{"http://a:1", "https://b:2"}},
		{"newlines", "http://a:1\nHTTPS://b:2\r\n\thttp://c:3", "", []string{"http://a:1", "https://b:2", "http://c:3"}},
		{"unencoded JWK stays in its URL", "http://a:1?verify-key=" + jwk + ", http://b:2", "", []string{"http://a:1", "http://b:2"}},
		{"prefix trimmed", "http://a:1", " app- ", []string{"http://a:1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := ParseConfig(tt.urls, tt.prefix)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, ep := range cfg.Endpoints {
				got = append(got, ep.ControlURI)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("endpoints = %q, want %q", got, tt.want)
			}
			if cfg.Prefix != strings.TrimSpace(tt.prefix) {
				t.Errorf("prefix = %q", cfg.Prefix)
			}
		})
	}

	cfg, err := ParseConfig("http://a:1?verify-key="+jwk+", http://b:2", "")
	if err != nil || cfg.Endpoints[0].VerifyKey != jwk {
		t.Errorf("JWK with commas not kept whole: %q, %v", cfg.Endpoints[0].VerifyKey, err)
	}
}

func TestParseConfigErrors(t *testing.T) {
	_, err := ParseConfig("http://a:1, https://b?key="+testToken+"#x", "")
	if !errors.Is(err, errInvalidURL) || !strings.Contains(err.Error(), "endpoint 2 of 2") {
		t.Errorf("second URL bad: err = %v, want errInvalidURL naming endpoint 2 of 2", err)
	}
	assertNoSecret(t, "error", err.Error())

	_, err = ParseConfig("localhost:5561", "")
	if !errors.Is(err, errInvalidURL) || strings.Contains(err.Error(), "endpoint 1") {
		t.Errorf("single URL bad: err = %v, want errInvalidURL without an endpoint number", err)
	}

	for _, prefix := range []string{"a,b", "a;b", "a b", "x\x00"} {
		if _, err := ParseConfig("", prefix); !errors.Is(err, ErrInvalidChannel) || !strings.Contains(err.Error(), "GRIP_PREFIX") {
			t.Errorf("prefix %q: err = %v, want ErrInvalidChannel naming GRIP_PREFIX", prefix, err)
		}
	}
}

func TestConfigChannel(t *testing.T) {
	if got := (Config{Prefix: "app-"}).Channel("room"); got != "app-room" {
		t.Errorf("Channel = %q", got)
	}
	if got := (Config{}).Channel("room"); got != "room" {
		t.Errorf("Channel without prefix = %q", got)
	}
}

func TestURLErrorWithoutURL(t *testing.T) {
	err := &urlError{problem: "it is empty"}
	if err.Error() != "grip: invalid GRIP_URL: it is empty" {
		t.Errorf("Error() = %q", err.Error())
	}
}
