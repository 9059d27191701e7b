package clienttoken

import (
	"testing"

	"github.com/golang-jwt/jwt/v5"
)

// The cost of Verify on every request (Pushpin repeats the token on each
// WebSocket-over-HTTP request of a connection): header parsing, signature,
// claims. `make bench` quotes these.

func BenchmarkVerifyHS256(b *testing.B) {
	benchVerify(b, newHS256(b), sign(b, jwt.SigningMethodHS256, testSecret, "", claimsAt()))
}

func BenchmarkVerifyRS256(b *testing.B) {
	benchVerify(b, newJWKSVerifier(b, standardJWKS(b)), sign(b, jwt.SigningMethodRS256, keys().rsa, "r", claimsAt()))
}

func BenchmarkVerifyES256(b *testing.B) {
	benchVerify(b, newJWKSVerifier(b, standardJWKS(b)), sign(b, jwt.SigningMethodES256, keys().ec, "e", claimsAt()))
}

func benchVerify(b *testing.B, v *Verifier, token string) {
	h := bearer(token)
	b.ReportAllocs()
	for b.Loop() {
		if _, refused := v.Verify(b.Context(), h, nil); refused != nil {
			b.Fatal(refused)
		}
	}
}
