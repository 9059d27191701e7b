package sig

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// fastlyJWK is the public key Fastly Fanout signs Grip-Sig with (PROTOCOL.md).
const fastlyJWK = `{"kty":"EC","crv":"P-256","x":"CKo5A1ebyFcnmVV8SE5On-8G81JyBjSvcrx4VLetWCg","y":"7gwJqaU6N8TP88--twjkwoB36f-pT3QsmI46nPhjO7M"}`

func TestNewVerifierKeyKinds(t *testing.T) {
	ks := testKeys(t)
	std := base64.StdEncoding.EncodeToString
	hsToken := func(secret []byte) func(*testing.T) string {
		return func(t *testing.T) string { return sign(t, jwt.SigningMethodHS256, secret, claims("x", time.Hour)) }
	}
	esToken := func(t *testing.T) string { return sign(t, jwt.SigningMethodES256, ks.ec, claims("x", time.Hour)) }
	rsToken := func(t *testing.T) string { return sign(t, jwt.SigningMethodRS256, ks.rsaKey, claims("x", time.Hour)) }
	ecCert, err := selfSigned(ks.ec)
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name  string
		key   string
		alg   string
		token func(*testing.T) string // a token the verifier must accept; nil to skip
	}{
		{"Pushpin default secret", "changeme", algHS256, hsToken([]byte("changeme"))},
		{"plain secret kept exactly, spaces included", " s3cret ", algHS256, hsToken([]byte(" s3cret "))},
		{"base64 secret", "base64:" + std([]byte("realm\x00key\xff")), algHS256, hsToken([]byte("realm\x00key\xff"))},
		{"base64 secret without padding", "base64:" + base64.RawStdEncoding.EncodeToString([]byte("ab")), algHS256, hsToken([]byte("ab"))},
		{"base64 PEM", "base64:" + std([]byte(ks.ecPEM)), algES256, esToken},
		{"EC PEM", ks.ecPEM, algES256, esToken},
		{"EC PEM with surrounding space", "\n  " + ks.ecPEM + "\n", algES256, esToken},
		{"EC certificate", ecCert, algES256, esToken},
		{"RSA PKIX PEM", ks.rsaPEM, algRS256, rsToken},
		{"RSA PKCS1 PEM", ks.rsaPKCS1, algRS256, rsToken},
		{"RSA certificate", ks.rsaCert, algRS256, rsToken},
		{"EC JWK", ks.ecJWK, algES256, esToken},
		{"EC JWK with alg", strings.Replace(ks.ecJWK, "{", `{"alg":"ES256","use":"sig",`, 1), algES256, esToken},
		{"RSA JWK", ks.rsaJWK, algRS256, rsToken},
		{"oct JWK", `{"kty":"oct","k":"` + b64url([]byte("octsecret")) + `"}`, algHS256, hsToken([]byte("octsecret"))},
		{"oct JWK with padding", `{"kty":"oct","k":"` + base64.URLEncoding.EncodeToString([]byte("ab")) + `"}`, algHS256, hsToken([]byte("ab"))},
		{"Fastly published JWK", fastlyJWK, algES256, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := newVerifier("", tt.key, withClock(fixedClock))
			if err != nil {
				t.Fatalf("NewVerifier: %v", err)
			}
			if v.algorithm() != tt.alg {
				t.Fatalf("Algorithm = %s, want %s", v.algorithm(), tt.alg)
			}
			if tt.token != nil {
				if got := v.checkToken(tt.token(t)); got.Status != statusValid {
					t.Fatalf("token: %v, %v; want valid", got.Status, got.Err)
				}
			}
			// Whatever the key, an HS256 token made from its text is refused.
			if tt.alg != algHS256 {
				forged := sign(t, jwt.SigningMethodHS256, []byte(tt.key), claims("x", time.Hour))
				if got := v.checkToken(forged); !errors.Is(got.Err, errAlgorithm) {
					t.Fatalf("HS256 forged with the key text: %v, %v; want ErrAlgorithm", got.Status, got.Err)
				}
			}
		})
	}
}

func TestNewVerifierBadKeys(t *testing.T) {
	ks := testKeys(t)
	p384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	p384PEM, err := publicPEM(&p384.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	edPub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	edPEM, err := publicPEM(edPub)
	if err != nil {
		t.Fatal(err)
	}
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	smallPEM, err := publicPEM(&small.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	ecPrivDER, err := x509.MarshalECPrivateKey(ks.ec)
	if err != nil {
		t.Fatal(err)
	}
	ecPrivPEM := string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: ecPrivDER}))
	pkcs8, err := x509.MarshalPKCS8PrivateKey(ks.rsaKey)
	if err != nil {
		t.Fatal(err)
	}
	rsaPrivPEM := string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8}))
	junkDER := string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: []byte("definitely not DER, secret-ish")}))
	smallJWK := rsaJWK(&small.PublicKey)
	n := b64url(ks.rsaKey.N.Bytes())
	xy := b64url(make([]byte, 32))

	tests := []struct {
		name, key, want string // want: a phrase the error must contain
	}{
		{"empty", "", "empty"},
		{"only spaces", "   \n", "empty"},
		{"base64 not base64", "base64:not*base64*secret", "not valid base64"},
		{"base64 empty", "base64:", "empty"},
		{"PEM without a block", "-----BEGIN PUBLIC KEY-----\nsecret!!\n", "no readable block"},
		{"PEM with bad DER", junkDER, "cannot parse the PEM public key"},
		{"PEM of another type", string(pem.EncodeToMemory(&pem.Block{Type: "FOO", Bytes: []byte{1}})), `"FOO"`},
		{"EC private key", ecPrivPEM, "private key"},
		{"PKCS8 private key", rsaPrivPEM, "private key"},
		{"P-384 key", p384PEM, "P-384"},
		{"Ed25519 key", edPEM, "ed25519"},
		{"1024-bit RSA", smallPEM, "1024 bits"},
		{"JWK not JSON", `{"kty":"oct","k":"c2VjcmV0`, "not a valid JSON object"},
		{"JWK private EC", strings.Replace(ks.ecJWK, "{", `{"d":"c2VjcmV0",`, 1), "private key"},
		{"JWK unknown kty", `{"kty":"OKP","crv":"Ed25519","x":"` + xy + `"}`, `"OKP"`},
		{"JWK missing kty", `{"k":"c2VjcmV0"}`, "no kty"},
		{"JWK set", `{"keys":[` + ks.ecJWK + `]}`, "JWK set"},
		{"JWK EC P-384", `{"kty":"EC","crv":"P-384","x":"` + xy + `","y":"` + xy + `"}`, "P-384"},
		{"JWK EC x not base64url", `{"kty":"EC","crv":"P-256","x":"***","y":"` + xy + `"}`, "base64url"},
		{"JWK EC short x", `{"kty":"EC","crv":"P-256","x":"AAAA","y":"` + xy + `"}`, "32 bytes"},
		{"JWK EC not on curve", `{"kty":"EC","crv":"P-256","x":"` + xy + `","y":"` + b64url([]byte(strings.Repeat("\x01", 32))) + `"}`, "not a point"},
		{"JWK EC alg mismatch", strings.Replace(ks.ecJWK, "{", `{"alg":"HS256",`, 1), `alg "HS256"`},
		{"JWK RSA no e", `{"kty":"RSA","n":"` + n + `"}`, "n and e"},
		{"JWK RSA e too large", `{"kty":"RSA","n":"` + n + `","e":"` + b64url([]byte{1, 0, 0, 0, 1}) + `"}`, "too large"},
		{"JWK RSA e even", `{"kty":"RSA","n":"` + n + `","e":"` + b64url([]byte{2}) + `"}`, "odd"},
		{"JWK RSA small", smallJWK, "1024 bits"},
		{"JWK oct empty k", `{"kty":"oct","k":""}`, "k is empty"},
		{"JWK oct k not base64url", `{"kty":"oct","k":"se+cr/et"}`, "not base64url"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := newVerifier("", tt.key)
			if err == nil {
				t.Fatalf("NewVerifier succeeded (%s), want an error", v.algorithm())
			}
			if !errors.Is(err, errBadKey) {
				t.Errorf("error %v does not wrap errBadKey", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "secret") {
				t.Errorf("error %q echoes the key", err)
			}
			if tt.key != "" {
				assertNoSecret(t, err.Error(), tt.key)
			}
		})
	}
}
