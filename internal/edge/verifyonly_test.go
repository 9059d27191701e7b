package edge

import (
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/faas-grip/faas-grip-go/internal/grip/apigw"
)

// A function that only verifies Grip-Sig (VerifyOnly) is given the GRIP URL
// without the publish credential: one that carries it undoes the split of
// secrets, so the cold start stops, wherever the URL came from, and says
// what to remove without repeating the credential.
func TestVerifyOnlyRefusesPublishCredentials(t *testing.T) {
	const password = "PASSWORD-never-logged-anywhere"
	for _, tc := range []struct {
		name, gripURL, want string
	}{
		{"Fastly API token", "https://api.fastly.com/service/SID?key=" + testKey, "key="},
		{"legacy realm key", "https://api.fanout.io/realm/r?iss=r&key=base64:" + testKey, "key="},
		{"Basic auth", "https://bob:" + password + "@pushpin.example:5561?verify-iss=pushpin&verify-key=" + testKey, "user:password@"},
		{"user without a password", "https://bob@pushpin.example:5561?verify-iss=pushpin&verify-key=" + testKey, "user:password@"},
		{"second endpoint", pushpinURL + ", http://127.0.0.1:5562?key=" + password, "key="},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sm := fakeSecrets{values: map[string]string{"arn:grip": tc.gripURL}}
			for _, vars := range []map[string]string{{"GRIP_URL": tc.gripURL}, {"GRIP_URL_SECRET_ARN": "arn:grip"}} {
				calls := 0
				_, err := newGuardedHandler(t.Context(), getenv(vars), slog.New(slog.DiscardHandler), served(&calls), VerifyOnly(), withSecrets(sm))
				if err == nil {
					t.Fatalf("%v: a verify-only function loaded a GRIP URL with a publish credential", vars)
				}
				for _, want := range []string{tc.want, "publish credential", "GripVerifyUrl"} {
					if !strings.Contains(err.Error(), want) {
						t.Errorf("error %q does not say what to remove (%q)", err, want)
					}
				}
				for _, secret := range []string{testKey, password, "bob"} {
					if strings.Contains(err.Error(), secret) {
						t.Errorf("error %q repeats the credential", err)
					}
				}
			}
		})
	}

	// Without a credential it serves; without VerifyOnly, the publish URL loads.
	calls := 0
	h, err := newGuardedHandler(t.Context(), getenv(map[string]string{"GRIP_URL": pushpinURL + ", https://api.fastly.com/service/SID"}), slog.New(slog.DiscardHandler), served(&calls), VerifyOnly())
	if err != nil {
		t.Fatal(err)
	}
	if resp, _ := h(t.Context(), &apigw.Request{Method: "GET", Header: http.Header{"Grip-Sig": {signed(t, testKey)}}}); resp.Status != 200 {
		t.Errorf("signed request: %d", resp.Status)
	}
	if _, err := newGuardedHandler(t.Context(), getenv(map[string]string{"GRIP_URL": "https://api.fastly.com/service/SID?key=" + testKey}), slog.New(slog.DiscardHandler), served(&calls)); err != nil {
		t.Errorf("a function that publishes: %v", err)
	}
}
