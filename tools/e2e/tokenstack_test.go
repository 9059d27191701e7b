package e2e

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"log/slog"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/faas-grip/faas-grip-go/tools/devstack"
)

// The client-token settings of the token stack: what a Cognito user pool's
// issuer and app client id would be.
const (
	tokenIssuer   = "https://issuer.e2e.test/pool"
	tokenAudience = "faas-grip-e2e"
)

// issuer is an identity provider for the end-to-end tests: RSA and EC keys
// served as a JWKS on loopback, and tokens signed with them. Rotate adds a
// key the functions have not seen.
type issuer struct {
	mu   sync.Mutex
	keys map[string]any // kid -> *rsa.PrivateKey or *ecdsa.PrivateKey, served
	rsa  string         // the kid RS256 tokens are signed with
	ec   string         // the kid ES256 tokens are signed with
	srv  *httptest.Server
	n    int
}

func newIssuer() (*issuer, error) {
	i := &issuer{keys: map[string]any{}}
	if err := i.addRSA(); err != nil {
		return nil, err
	}
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	i.ec = "ec-1"
	i.keys[i.ec] = ecKey
	i.srv = httptest.NewServer(http.HandlerFunc(i.serveJWKS))
	return i, nil
}

func (i *issuer) addRSA() error {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return err
	}
	i.n++
	i.rsa = fmt.Sprintf("rsa-%d", i.n)
	i.keys[i.rsa] = key
	return nil
}

// Rotate signs RS256 tokens with a new key from now on, served beside the
// old ones, as a provider rotates.
func (i *issuer) Rotate(t *testing.T) string {
	t.Helper()
	i.mu.Lock()
	defer i.mu.Unlock()
	if err := i.addRSA(); err != nil {
		t.Fatal(err)
	}
	return i.rsa
}

func (i *issuer) JWKSURL() string { return i.srv.URL + "/.well-known/jwks.json" }

func (i *issuer) serveJWKS(w http.ResponseWriter, _ *http.Request) {
	i.mu.Lock()
	defer i.mu.Unlock()
	b64 := base64.RawURLEncoding.EncodeToString
	var keys []map[string]string
	for kid, k := range i.keys {
		switch k := k.(type) {
		case *rsa.PrivateKey:
			keys = append(keys, map[string]string{"kty": "RSA", "kid": kid, "alg": "RS256", "use": "sig",
				"n": b64(k.N.Bytes()), "e": b64(big.NewInt(int64(k.E)).Bytes())})
		case *ecdsa.PrivateKey:
			pub, _ := k.PublicKey.ECDH()
			raw := pub.Bytes() // 0x04 || X || Y
			keys = append(keys, map[string]string{"kty": "EC", "kid": kid, "alg": "ES256", "use": "sig", "crv": "P-256",
				"x": b64(raw[1:33]), "y": b64(raw[33:])})
		}
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"keys": keys})
}

// claims are a valid token's: this issuer and audience, an hour to live, the
// subject alice with the channels given. Change them before signing.
func (i *issuer) claims(channels ...string) jwt.MapClaims {
	return jwt.MapClaims{
		"iss": tokenIssuer, "aud": tokenAudience, "sub": "alice", "name": "Alice",
		"exp": time.Now().Add(time.Hour).Unix(), "iat": time.Now().Unix(), "channels": channels,
	}
}

// RS256 signs claims with the current RSA key.
func (i *issuer) RS256(t *testing.T, c jwt.MapClaims) string {
	t.Helper()
	i.mu.Lock()
	kid, key := i.rsa, i.keys[i.rsa]
	i.mu.Unlock()
	return sign(t, jwt.SigningMethodRS256, kid, key, c)
}

// ES256 signs claims with the EC key.
func (i *issuer) ES256(t *testing.T, c jwt.MapClaims) string {
	t.Helper()
	return sign(t, jwt.SigningMethodES256, i.ec, i.keys[i.ec], c)
}

func sign(t *testing.T, m jwt.SigningMethod, kid string, key any, c jwt.MapClaims) string {
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

var (
	tokenOnce  sync.Once
	tokenSt    *devstack.Stack
	tokenIss   *issuer
	tokenErr   error
	tokenClose []func() error
)

// tokenStack is a second local stack, with client tokens on: the functions
// verify RS256 and ES256 tokens against the issuer's JWKS (as with Cognito).
// It reuses the shared stack's binaries and is stopped after the suite.
func tokenStack(t *testing.T) (*devstack.Stack, *issuer) {
	t.Helper()
	base := stack(t)
	tokenOnce.Do(func() {
		if tokenIss, tokenErr = newIssuer(); tokenErr != nil {
			return
		}
		history, err := os.MkdirTemp("", "e2e-token-history-")
		if err != nil {
			tokenErr = err
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		tokenSt, tokenErr = devstack.Start(ctx, devstack.Options{
			Dir: root,
			Env: map[string]string{
				"HISTORY_DIR":           history,
				"LONGPOLL_TIMEOUT":      longpollTimeout.String(),
				"CLIENT_TOKEN_ISSUER":   tokenIssuer,
				"CLIENT_TOKEN_AUDIENCE": tokenAudience,
				"CLIENT_TOKEN_JWKS_URL": tokenIss.JWKSURL(),
			},
			Binaries:       base.Binaries(),
			FunctionOutput: stackLogs,
			PushpinOutput:  stackLogs,
			Logger:         slog.New(slog.NewTextHandler(stackLogs, nil)),
		})
		tokenClose = append(tokenClose, func() error {
			tokenIss.srv.Close()
			defer os.RemoveAll(history)
			if tokenSt != nil {
				return tokenSt.Close()
			}
			return nil
		})
	})
	if tokenErr != nil {
		t.Fatalf("the token stack: %v", tokenErr)
	}
	return tokenSt, tokenIss
}

// publicPEM is the RSA key's public half as PEM: what an attacker who read
// the JWKS signs an HS256 token with (the algorithm-confusion attack).
func (i *issuer) publicPEM(t *testing.T) []byte {
	t.Helper()
	i.mu.Lock()
	key := i.keys[i.rsa].(*rsa.PrivateKey)
	i.mu.Unlock()
	der, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

// forged signs claims RS256 with a key of the attacker's under the kid of
// the issuer's RSA key: a key not in the JWKS.
func (i *issuer) forged(t *testing.T, c jwt.MapClaims) string {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	i.mu.Lock()
	kid := i.rsa
	i.mu.Unlock()
	return sign(t, jwt.SigningMethodRS256, kid, key, c)
}
