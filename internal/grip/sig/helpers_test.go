package sig

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// testNow is the instant every test checks tokens at.
var testNow = time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)

func fixedClock() time.Time { return testNow }

// keySet holds keys generated once per test binary: RSA generation is slow.
type keySet struct {
	secret            string
	ec, ecOther       *ecdsa.PrivateKey
	rsaKey, rsaOther  *rsa.PrivateKey
	ecPEM, rsaPEM     string // public keys, PKIX PEM
	ecJWK, rsaJWK     string // public keys, JWK JSON
	rsaPKCS1, rsaCert string // PKCS#1 PEM, self-signed certificate PEM
}

var generatedKeys = sync.OnceValues(generateKeys)

func testKeys(t testing.TB) keySet {
	t.Helper()
	ks, err := generatedKeys()
	if err != nil {
		t.Fatalf("generating test keys: %v", err)
	}
	return ks
}

func generateKeys() (keySet, error) {
	var ks keySet
	var err error
	ks.secret = "test-secret-" + rand.Text()
	if ks.ec, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
		return ks, err
	}
	if ks.ecOther, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
		return ks, err
	}
	if ks.rsaKey, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
		return ks, err
	}
	if ks.rsaOther, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
		return ks, err
	}
	if ks.ecPEM, err = publicPEM(&ks.ec.PublicKey); err != nil {
		return ks, err
	}
	if ks.rsaPEM, err = publicPEM(&ks.rsaKey.PublicKey); err != nil {
		return ks, err
	}
	ks.ecJWK = ecJWK(&ks.ec.PublicKey)
	ks.rsaJWK = rsaJWK(&ks.rsaKey.PublicKey)
	ks.rsaPKCS1 = string(pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: x509.MarshalPKCS1PublicKey(&ks.rsaKey.PublicKey)}))
	if ks.rsaCert, err = selfSigned(ks.rsaKey); err != nil {
		return ks, err
	}
	return ks, nil
}

func publicPEM(pub any) (string, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return "", err
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})), nil
}

func selfSigned(key any) (string, error) {
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		NotBefore:    testNow.Add(-time.Hour),
		NotAfter:     testNow.Add(time.Hour),
	}
	var pub any
	switch k := key.(type) {
	case *rsa.PrivateKey:
		pub = &k.PublicKey
	case *ecdsa.PrivateKey:
		pub = &k.PublicKey
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, pub, key)
	if err != nil {
		return "", err
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})), nil
}

func b64url(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func mustJSON(v any) string {
	b, _ := json.Marshal(v) // maps of strings always marshal
	return string(b)
}

func ecJWK(pub *ecdsa.PublicKey) string {
	point, _ := pub.Bytes() // 0x04 || x || y for a valid P-256 key
	return mustJSON(map[string]string{"kty": "EC", "crv": "P-256", "x": b64url(point[1:33]), "y": b64url(point[33:])})
}

func rsaJWK(pub *rsa.PublicKey) string {
	return mustJSON(map[string]string{"kty": "RSA", "n": b64url(pub.N.Bytes()), "e": b64url(big.NewInt(int64(pub.E)).Bytes())})
}

// claims are Pushpin-style claims: iss and exp relative to testNow.
func claims(iss string, expIn time.Duration) jwt.MapClaims {
	return jwt.MapClaims{"iss": iss, "exp": testNow.Add(expIn).Unix()}
}

func sign(t testing.TB, method jwt.SigningMethod, key any, c jwt.Claims) string {
	t.Helper()
	token, err := jwt.NewWithClaims(method, c).SignedString(key)
	if err != nil {
		t.Fatalf("signing test token: %v", err)
	}
	return token
}

func newTestVerifier(t testing.TB, issuer, key string) *tokenVerifier {
	t.Helper()
	v, err := newVerifier(issuer, key, withClock(fixedClock))
	if err != nil {
		t.Fatalf("NewVerifier: %v", err)
	}
	return v
}
