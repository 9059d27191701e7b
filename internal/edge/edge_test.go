package edge

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/faas-grip/faas-grip-go/internal/grip/apigw"
	"github.com/faas-grip/faas-grip-go/tools/emftest"
)

const testKey = "s3cr3t-sig-key-never-logged-anywhere-at-all"

var pushpinURL = "http://127.0.0.1:5561?verify-iss=pushpin&verify-key=" + testKey

func getenv(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func signed(t *testing.T, key string) string {
	t.Helper()
	tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
		"iss": "pushpin", "exp": time.Now().Add(time.Hour).Unix(),
	}).SignedString([]byte(key))
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// served is a setup whose handler counts the requests it is given.
func served(calls *int) func(context.Context, ColdStart) (apigw.Handler, error) {
	return func(context.Context, ColdStart) (apigw.Handler, error) {
		return func(context.Context, *apigw.Request) (*apigw.Response, error) {
			*calls++
			return &apigw.Response{Status: http.StatusOK, Body: []byte("served")}, nil
		}, nil
	}
}

// The Grip-Sig check runs before the handler: a refused request never
// reaches it, and the log says why without the key or the token.
func TestGripSigCheckedBeforeTheHandler(t *testing.T) {
	forged := signed(t, "forged")
	tests := []struct {
		name   string
		vars   map[string]string
		method string
		sig    string
		status int
		code   string // the refusal's metric dimension Reason
	}{
		{"signed", map[string]string{"GRIP_URL": pushpinURL}, "POST", signed(t, testKey), 200, ""},
		{"unsigned", map[string]string{"GRIP_URL": pushpinURL}, "POST", "", 401, "missing"},
		{"forged", map[string]string{"GRIP_URL": pushpinURL}, "POST", forged, 403, "signature"},
		{"forged GET", map[string]string{"GRIP_URL": pushpinURL}, "GET", forged, 403, "signature"},
		{"required, no key", map[string]string{"GRIP_URL": "http://127.0.0.1:5561"}, "POST", forged, 500, "unconfigured"},
		{"not required, no key", map[string]string{"GRIP_URL": "http://127.0.0.1:5561", "GRIP_SIG_REQUIRED": "false"}, "POST", forged, 200, ""},
		{"not required still needs the proxy", map[string]string{"GRIP_SIG_REQUIRED": "false"}, "POST", "", 401, "missing"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var logs, metrics bytes.Buffer
			calls := 0
			h, err := newGuardedHandler(t.Context(), getenv(tc.vars), slog.New(slog.NewJSONHandler(&logs, nil)), served(&calls),
				withMetrics(newMetrics(getenv(map[string]string{"AWS_LAMBDA_FUNCTION_NAME": "fn"}), &metrics)))
			if err != nil {
				t.Fatal(err)
			}
			r := &apigw.Request{Method: tc.method, RequestID: "req-1", Header: http.Header{}}
			if tc.sig != "" {
				r.Header.Set("Grip-Sig", tc.sig)
			}
			resp, err := h(t.Context(), r)
			if err != nil || resp.Status != tc.status {
				t.Fatalf("got %v, %v; want status %d", resp, err, tc.status)
			}
			if want := map[bool]int{true: 1, false: 0}[tc.status == 200]; calls != want {
				t.Errorf("the handler ran %d times, want %d", calls, want)
			}
			if resp.Header.Get("X-Content-Type-Options") != "nosniff" && tc.status != 200 {
				t.Error("a refusal must not be sniffed")
			}
			if tc.status != 200 {
				var line struct{ Msg, Request_ID, Reason string }
				if err := json.Unmarshal(logs.Bytes(), &line); err != nil || line.Msg != "request refused" || line.Request_ID != "req-1" || line.Reason == "" {
					t.Errorf("log %q: want one request refused line with the request id and reason", logs.String())
				}
			}
			emftest.Lines(t, metrics.Bytes()) // each by the format's rules
			var metric struct {
				FunctionName, Reason string
				GripSigRefused       float64
			}
			if tc.status == 200 && metrics.Len() != 0 {
				t.Errorf("metrics %q for a request served", metrics.String())
			} else if tc.status != 200 && (json.Unmarshal(metrics.Bytes(), &metric) != nil || metric.FunctionName != "fn" || metric.Reason != tc.code || metric.GripSigRefused != 1) {
				t.Errorf("metrics %q: want one GripSigRefused line for fn with Reason %q", metrics.String(), tc.code)
			}
			if strings.Contains(logs.String(), testKey) || tc.sig != "" && strings.Contains(logs.String(), tc.sig) {
				t.Errorf("the log leaks the key or token: %s", logs.String())
			}
		})
	}
}

// PublicMethods serve without a Grip-Sig; other methods still need one.
func TestPublicMethods(t *testing.T) {
	calls := 0
	h, err := newGuardedHandler(t.Context(), getenv(map[string]string{"GRIP_URL": pushpinURL}), slog.New(slog.DiscardHandler), served(&calls), PublicMethods(http.MethodGet))
	if err != nil {
		t.Fatal(err)
	}
	if resp, _ := h(t.Context(), &apigw.Request{Method: "GET", Header: http.Header{}}); resp.Status != 200 {
		t.Errorf("public GET: %d", resp.Status)
	}
	if resp, _ := h(t.Context(), &apigw.Request{Method: "POST", Header: http.Header{}}); resp.Status != 401 {
		t.Errorf("unsigned POST: %d, want 401", resp.Status)
	}
	if calls != 1 {
		t.Errorf("the handler ran %d times, want 1", calls)
	}
}

func TestPanicsAreRecovered(t *testing.T) {
	var logs bytes.Buffer
	h, err := newGuardedHandler(t.Context(), getenv(map[string]string{"GRIP_SIG_REQUIRED": "false", "GRIP_URL": "http://127.0.0.1:5561"}), slog.New(slog.NewJSONHandler(&logs, nil)),
		func(context.Context, ColdStart) (apigw.Handler, error) {
			return func(context.Context, *apigw.Request) (*apigw.Response, error) { panic("boom") }, nil
		})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := h(t.Context(), &apigw.Request{Method: "POST", Header: http.Header{"Grip-Sig": {"x"}}})
	if err != nil || resp.Status != 500 || strings.Contains(string(resp.Body), "boom") {
		t.Errorf("got %v, %v: want a 500 that reveals nothing", resp, err)
	}
	if !strings.Contains(logs.String(), "handler panicked") {
		t.Errorf("log: %s", logs.String())
	}

	e, err := NewEventHandler(t.Context(), getenv(nil), slog.New(slog.DiscardHandler),
		func(context.Context, ColdStart) (EventHandler, error) {
			return func(context.Context, json.RawMessage) (any, error) { panic("boom") }, nil
		})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e(t.Context(), json.RawMessage(`{}`)); !errors.Is(err, errPanic) {
		t.Errorf("event handler panic: %v, want errPanic", err)
	}
}

// The setup gets what the cold start loaded; its errors end the cold start.
func TestSetup(t *testing.T) {
	var got ColdStart
	_, err := NewEventHandler(t.Context(), getenv(map[string]string{"GRIP_URL": "http://127.0.0.1:5561", "GRIP_PREFIX": "app-", "MINE": "x"}), slog.New(slog.DiscardHandler),
		func(_ context.Context, cold ColdStart) (EventHandler, error) {
			got = cold
			return func(context.Context, json.RawMessage) (any, error) { return nil, nil }, nil
		})
	if err != nil || got.Publisher == nil || got.Logger == nil || got.Grip.Prefix != "app-" || len(got.Grip.Endpoints) != 1 || got.Getenv("MINE") != "x" {
		t.Fatalf("got %+v, %v", got, err)
	}

	failing := errors.New("CHAT_RATE must be a number")
	if _, err := newGuardedHandler(t.Context(), getenv(nil), slog.New(slog.DiscardHandler),
		func(context.Context, ColdStart) (apigw.Handler, error) { return nil, failing }); !errors.Is(err, failing) {
		t.Errorf("setup error: %v", err)
	}
	if _, err := newGuardedHandler(t.Context(), getenv(nil), slog.New(slog.DiscardHandler),
		func(context.Context, ColdStart) (apigw.Handler, error) { return nil, nil }); !errors.Is(err, errNoHandler) {
		t.Errorf("no handler: %v", err)
	}
	if _, err := NewEventHandler(t.Context(), getenv(nil), slog.New(slog.DiscardHandler),
		func(context.Context, ColdStart) (EventHandler, error) { return nil, nil }); !errors.Is(err, errNoHandler) {
		t.Errorf("no event handler: %v", err)
	}
	// A bad environment fails before setup runs.
	called := false
	_, err = newGuardedHandler(t.Context(), getenv(map[string]string{"GRIP_SIG_REQUIRED": "maybe"}), slog.New(slog.DiscardHandler),
		func(context.Context, ColdStart) (apigw.Handler, error) { called = true; return nil, nil })
	if err == nil || called {
		t.Errorf("GRIP_SIG_REQUIRED=maybe: %v, setup called %v", err, called)
	}
}

// fakeSecrets answers GetSecretString from a map, or with err.
type fakeSecrets struct {
	values map[string]string
	err    error
}

func (f fakeSecrets) GetSecretString(_ context.Context, id string) (string, error) {
	if f.err != nil {
		return "", f.err
	}
	v, ok := f.values[id]
	if !ok {
		return "", errors.New("ResourceNotFoundException")
	}
	return v, nil
}

// A deployment (GRIP URL from the secret) must not verify with Pushpin's
// stock key: the sample events carry long-lived tokens signed with it. A
// local run (GRIP_URL) may.
func TestDeployedStockKeyRefused(t *testing.T) {
	stock := "http://127.0.0.1:5561?verify-iss=pushpin&verify-key=changeme"
	sm := fakeSecrets{values: map[string]string{"arn:stock": stock, "arn:strong": pushpinURL}}
	calls := 0
	_, err := newGuardedHandler(t.Context(), getenv(map[string]string{"GRIP_URL_SECRET_ARN": "arn:stock"}), slog.New(slog.DiscardHandler), served(&calls), withSecrets(sm))
	if err == nil || !strings.Contains(err.Error(), "sig_key") || strings.Contains(err.Error(), "changeme") {
		t.Errorf("stock key from the secret: %v, want an error saying what to do", err)
	}
	h, err := newGuardedHandler(t.Context(), getenv(map[string]string{"GRIP_URL_SECRET_ARN": "arn:strong"}), slog.New(slog.DiscardHandler), served(&calls), withSecrets(sm))
	if err != nil {
		t.Fatal(err)
	}
	if resp, _ := h(t.Context(), &apigw.Request{Method: "GET", Header: http.Header{"Grip-Sig": {signed(t, testKey)}}}); resp.Status != 200 {
		t.Errorf("signed request with the secret's key: %d", resp.Status)
	}
	if _, err := newGuardedHandler(t.Context(), getenv(map[string]string{"GRIP_URL": stock}), slog.New(slog.DiscardHandler), served(&calls)); err != nil {
		t.Errorf("local run with the stock key: %v", err)
	}
}

// A cold start that fails logs one line saying why and exits with status 1
// (JSON, with lambdacontext's keys, as LogFormat: JSON has Lambda ask).
func TestColdStartFailureExits(t *testing.T) {
	if os.Getenv("EDGE_TEST_COLD_START") == "1" {
		ServeHTTP(func(context.Context, ColdStart) (apigw.Handler, error) { return nil, errors.New("setup must not run") })
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestColdStartFailureExits$")
	cmd.Env = []string{"EDGE_TEST_COLD_START=1", "AWS_LAMBDA_LOG_FORMAT=JSON", "GRIP_URL=http://127.0.0.1:5561?verify-key=base64:" + testKey + "%%"}
	var stdout bytes.Buffer
	cmd.Stdout = &stdout
	err := cmd.Run()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Fatalf("exit: %v, want status 1", err)
	}
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	var line struct{ Level, Message, Error string }
	if len(lines) != 1 || json.Unmarshal([]byte(lines[0]), &line) != nil || line.Level != "ERROR" || line.Message != "cold start failed" || line.Error == "" {
		t.Errorf("stdout %q: want one JSON line, cold start failed, with the error", stdout.String())
	}
	if strings.Contains(stdout.String(), testKey) || strings.Contains(stdout.String(), "setup must not run") {
		t.Errorf("stdout %q leaks the key or ran setup", stdout.String())
	}
}

// withSecrets reads the GRIP URL secret from sm instead of Secrets Manager.
func withSecrets(sm secretGetter) Option { return func(o *options) { o.secrets = sm } }
