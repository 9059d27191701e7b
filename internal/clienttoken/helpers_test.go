package clienttoken

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/MicahParks/jwkset"
	"github.com/golang-jwt/jwt/v5"
)

// testNow is the instant every test checks tokens at.
var testNow = time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)

func fixedClock() time.Time { return testNow }

const (
	testIss = "https://issuer.example"
	testAud = "app-client"
)

var testSecret = []byte("0123456789abcdef0123456789abcdef") // 32 bytes

// keys are generated once per test binary: RSA generation is slow.
var keys = sync.OnceValue(func() (k struct {
	rsa, rsa2, rsaSmall *rsa.PrivateKey
	ec, ec2             *ecdsa.PrivateKey
}) {
	must := func(err error) {
		if err != nil {
			panic(err)
		}
	}
	var err error
	k.rsa, err = rsa.GenerateKey(rand.Reader, 2048)
	must(err)
	k.rsa2, err = rsa.GenerateKey(rand.Reader, 2048)
	must(err)
	k.rsaSmall, err = rsa.GenerateKey(rand.Reader, 1024)
	must(err)
	k.ec, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	must(err)
	k.ec2, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	must(err)
	return k
})

// claimsAt are valid claims for testIss/testAud, expiring an hour after testNow.
func claimsAt() jwt.MapClaims {
	return jwt.MapClaims{"iss": testIss, "aud": testAud, "sub": "alice", "name": "Alice",
		"exp": testNow.Add(time.Hour).Unix(), "channels": []string{"chat", "news*"}}
}

// with returns c with the given claims changed; a nil value deletes one.
func with(c jwt.MapClaims, kv ...any) jwt.MapClaims {
	for i := 0; i < len(kv); i += 2 {
		if kv[i+1] == nil {
			delete(c, kv[i].(string))
		} else {
			c[kv[i].(string)] = kv[i+1]
		}
	}
	return c
}

// sign signs claims with method and key, setting kid when not "".
func sign(t testing.TB, m jwt.SigningMethod, key any, kid string, c jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(m, c)
	if kid != "" {
		tok.Header["kid"] = kid
	}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// jwk is one key of a test key set.
type jwk struct {
	kid string
	alg jwkset.ALG // "" for none
	pub any
}

// jwksServer serves a key set that tests can swap, and counts the fetches.
type jwksServer struct {
	*httptest.Server
	mu      sync.Mutex
	set     []byte
	fetches atomic.Int32
}

func newJWKSServer(t testing.TB, tls bool, ks ...jwk) *jwksServer {
	t.Helper()
	s := &jwksServer{}
	s.serve(t, ks...)
	h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		s.fetches.Add(1)
		s.mu.Lock()
		defer s.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.Write(s.set)
	})
	if tls {
		s.Server = httptest.NewTLSServer(h)
	} else {
		s.Server = httptest.NewServer(h)
	}
	t.Cleanup(s.Close)
	return s
}

// serve replaces the key set.
func (s *jwksServer) serve(t testing.TB, ks ...jwk) {
	t.Helper()
	var set jwkset.JWKSMarshal
	for _, k := range ks {
		j, err := jwkset.NewJWKFromKey(k.pub, jwkset.JWKOptions{Metadata: jwkset.JWKMetadataOptions{KID: k.kid, ALG: k.alg}})
		if err != nil {
			t.Fatal(err)
		}
		set.Keys = append(set.Keys, j.Marshal())
	}
	b, err := json.Marshal(set)
	if err != nil {
		t.Fatal(err)
	}
	s.mu.Lock()
	s.set = b
	s.mu.Unlock()
}

// newHS256 is a verifier of testSecret at testNow.
func newHS256(t testing.TB) *Verifier {
	t.Helper()
	v, err := New(t.Context(), Config{Issuer: testIss, Audience: testAud, Secret: testSecret, now: fixedClock})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// newJWKSVerifier is a verifier of srv's keys at testNow.
func newJWKSVerifier(t testing.TB, srv *jwksServer) *Verifier {
	t.Helper()
	v, err := New(t.Context(), Config{Issuer: testIss, Audience: testAud, JWKSURL: srv.URL, now: fixedClock})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// standardJWKS serves the RSA key as "r" (RS256) and the EC key as "e" (ES256).
func standardJWKS(t testing.TB) *jwksServer {
	k := keys()
	return newJWKSServer(t, false, jwk{"r", jwkset.AlgRS256, &k.rsa.PublicKey}, jwk{"e", jwkset.AlgES256, &k.ec.PublicKey})
}

// rsaPublicPEM is the RSA public key as published: what an attacker would
// use as an HMAC secret.
func rsaPublicPEM(t testing.TB) []byte {
	der, err := x509.MarshalPKIXPublicKey(&keys().rsa.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

// bearer is a header carrying token.
func bearer(token string) http.Header { return http.Header{"Authorization": {"Bearer " + token}} }
