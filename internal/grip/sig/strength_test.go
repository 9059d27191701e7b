package sig

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
)

func TestCheckKeyStrength(t *testing.T) {
	ks := testKeys(t)
	random := func(n int) []byte {
		b := make([]byte, n)
		rand.Read(b)
		return b
	}
	std := base64.StdEncoding.EncodeToString
	r31, r32 := random(31), random(32)
	tests := []struct {
		name string
		key  string
		weak bool
	}{
		{"stock key", "changeme", true},
		{"stock key in base64", "base64:Y2hhbmdlbWU=", true},
		{"stock key in base64 without padding", "base64:Y2hhbmdlbWU", true},
		{"stock key as an oct JWK", `{"kty":"oct","k":"Y2hhbmdlbWU"}`, true},
		{"stock key as an oct JWK with alg", `{"kty":"oct","alg":"HS256","k":"Y2hhbmdlbWU="}`, true},
		{"31 random bytes", "base64:" + std(r31), true},
		{"31 random bytes as an oct JWK", `{"kty":"oct","k":"` + b64url(r31) + `"}`, true},
		{"31-character text", strings.Repeat("x", 31), true},
		{"32 random bytes", "base64:" + std(r32), false},
		{"32 random bytes as an oct JWK", `{"kty":"oct","k":"` + b64url(r32) + `"}`, false},
		{"32-character text", strings.Repeat("x", 32), false},
		{"Fastly's ES256 public key", fastlyJWK, false},
		{"EC PEM", ks.ecPEM, false},
		{"RSA PEM", ks.rsaPEM, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := checkKeyStrength(tc.key)
			if !tc.weak {
				if err != nil {
					t.Fatalf("strong key refused: %v", err)
				}
				return
			}
			if !errors.Is(err, errWeakKey) {
				t.Fatalf("got %v, want errWeakKey", err)
			}
			if !strings.Contains(err.Error(), "sig_key") || !strings.Contains(err.Error(), "at least 32 bytes") {
				t.Errorf("%q does not say what to do", err)
			}
			if strings.Contains(err.Error(), tc.key) {
				t.Errorf("%q contains the key", err)
			}
		})
	}
	if err := checkKeyStrength(""); !errors.Is(err, errBadKey) {
		t.Errorf("empty key: %v, want errBadKey", err)
	}
}
