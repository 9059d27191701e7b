package lambdaenv

import (
	"crypto/rand"
	"encoding/base64"
	"net/url"
	"strings"
	"testing"
)

// A deployment (GRIP URL from the secret) must not verify Grip-Sig with a key
// anyone can guess: Pushpin's stock key in any spelling, or any short HMAC
// secret. The sample events carry tokens signed with the stock key that stay
// valid until 2100.
func TestDeployedWeakVerifyKeysRefused(t *testing.T) {
	random := func(n int) string {
		b := make([]byte, n)
		rand.Read(b)
		return "base64:" + base64.StdEncoding.EncodeToString(b)
	}
	q := url.QueryEscape
	tests := []struct {
		name    string
		gripURL string
		weak    bool
	}{
		{"stock key as text", "http://p:5561?verify-iss=pushpin&verify-key=changeme", true},
		{"stock key in base64", "http://p:5561?verify-iss=pushpin&verify-key=" + q("base64:Y2hhbmdlbWU="), true},
		{"stock key in base64 without padding", "http://p:5561?verify-iss=pushpin&verify-key=" + q("base64:Y2hhbmdlbWU"), true},
		{"stock key as an oct JWK", "http://p:5561?verify-iss=pushpin&verify-key=" + q(`{"kty":"oct","k":"Y2hhbmdlbWU"}`), true},
		{"stock key as a legacy realm key", "http://p:5561?iss=pushpin&key=changeme", true},
		{"31 random bytes", "http://p:5561?verify-iss=pushpin&verify-key=" + q(random(31)), true},
		{"31 random bytes as a legacy realm key", "https://api.fanout.io/realm/r?iss=r&key=" + q(random(31)), true},
		{"32 random bytes", "http://p:5561?verify-iss=pushpin&verify-key=" + q(random(32)), false},
		{"32 random bytes as a legacy realm key", "https://api.fanout.io/realm/r?iss=r&key=" + q(random(32)), false},
		{"Fastly's ES256 public key", "https://api.fastly.com/service/S?key=tok&verify-iss=fastly:S&verify-key=" + q(fastlyJWK), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sm := fakeSecrets{values: map[string]string{"arn:grip": tc.gripURL}}
			env, err := LoadOrigin(t.Context(), getenv(map[string]string{"GRIP_URL_SECRET_ARN": "arn:grip"}), sm)
			if !tc.weak {
				if err != nil || len(env.Verifiers) != 1 {
					t.Fatalf("strong key refused: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("a deployment loaded a weak verify key")
			}
			for _, want := range []string{"sig_key", "at least 32 bytes"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not say what to do (%q)", err, want)
				}
			}
			if strings.Contains(err.Error(), "Y2hhbmdlbWU") || strings.Contains(err.Error(), "key=") && !strings.Contains(err.Error(), "key=redacted") && !strings.Contains(err.Error(), "verify-key=set") {
				t.Errorf("error %q quotes the key", err)
			}
		})
	}
}

// Local runs set GRIP_URL themselves and may verify with the stock key: the
// sample events are signed with it.
func TestLocalRunMayUseTheStockKey(t *testing.T) {
	for _, gripURL := range []string{
		"http://127.0.0.1:5561?verify-iss=pushpin&verify-key=changeme",
		"http://127.0.0.1:5561?verify-iss=pushpin&verify-key=" + url.QueryEscape("base64:Y2hhbmdlbWU="),
		"http://127.0.0.1:5561?iss=pushpin&key=changeme",
	} {
		env, err := LoadOrigin(t.Context(), getenv(map[string]string{"GRIP_URL": gripURL}), nil)
		if err != nil || len(env.Verifiers) != 1 {
			t.Errorf("%s: %v", gripURL, err)
		}
	}
}

const fastlyJWK = `{"kty":"EC","crv":"P-256","x":"CKo5A1ebyFcnmVV8SE5On-8G81JyBjSvcrx4VLetWCg","y":"7gwJqaU6N8TP88--twjkwoB36f-pT3QsmI46nPhjO7M"}`
