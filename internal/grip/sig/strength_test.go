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
		b[n-1] |= 1 // a trailing zero byte would not count (see nulPadded)
		return b
	}
	std := base64.StdEncoding.EncodeToString
	r31, r32 := random(31), random(32)
	// HMAC pads a short key with zero bytes: these are the same keys again.
	stockNUL, r31NUL := nulPadded("changeme", 32), nulPadded(string(r31), 40)
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
		{"stock key + NULs", stockNUL, true},
		{"stock key + NULs in base64", "base64:" + std([]byte(stockNUL)), true},
		{"stock key + NULs in base64 without padding", "base64:" + base64.RawStdEncoding.EncodeToString([]byte(stockNUL)), true},
		{"stock key + NULs as an oct JWK", `{"kty":"oct","k":"` + b64url([]byte(stockNUL)) + `"}`, true},
		{"stock key + NULs as an oct JWK with alg", `{"kty":"oct","alg":"HS256","k":"` + base64.URLEncoding.EncodeToString([]byte(stockNUL)) + `"}`, true},
		{"31 random bytes + NULs", "base64:" + std([]byte(r31NUL)), true},
		{"31 random bytes + NULs as an oct JWK", `{"kty":"oct","k":"` + b64url([]byte(r31NUL)) + `"}`, true},
		{"31-character text + NUL", nulPadded(strings.Repeat("x", 31), 32), true},
		{"32 random bytes", "base64:" + std(r32), false},
		{"32 random bytes + NULs", "base64:" + std([]byte(nulPadded(string(r32), 64))), false},
		{"NULs inside count", "change\x00\x00me" + strings.Repeat("x", 24), false},
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
			if strings.Contains(err.Error(), tc.key) || strings.Contains(err.Error(), "Y2hhbmdlbWU") || strings.Contains(err.Error(), "\x00") {
				t.Errorf("%q contains the key", err)
			}
		})
	}
	if err := checkKeyStrength(""); !errors.Is(err, errBadKey) {
		t.Errorf("empty key: %v, want errBadKey", err)
	}
}

// nulPadded is s followed by zero bytes up to n bytes.
func nulPadded(s string, n int) string { return s + strings.Repeat("\x00", n-len(s)) }
