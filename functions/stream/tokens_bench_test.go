package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"math/big"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/faas-grip/faas-grip-go/internal/clienttoken"
	"github.com/faas-grip/faas-grip-go/internal/edge"
	"github.com/faas-grip/faas-grip-go/tools/eventtest"
	"github.com/golang-jwt/jwt/v5"
)

const (
	benchIssuer   = "https://issuer.bench"
	benchAudience = "bench-client"
	benchSecret   = "bench-secret-0123456789abcdef012" // 32 bytes, as a deployment requires
)

// BenchmarkInvokeTokens is BenchmarkInvoke on stream-plain.json with an
// Authorization header, tokens off and on: make bench judges the cost of
// verifying a client token per request as on / off. Every case carries the
// same header (ignored when off), so the ratio is the verification alone.
func BenchmarkInvokeTokens(b *testing.B) {
	for _, tc := range []struct {
		name string
		env  func(b *testing.B) (vars map[string]string, token string)
	}{
		{"off", func(b *testing.B) (map[string]string, string) { return nil, benchHS256(b) }},
		{"HS256", func(b *testing.B) (map[string]string, string) {
			return map[string]string{clienttoken.EnvSecret: benchSecret}, benchHS256(b)
		}},
		{"RS256", benchRS256},
	} {
		b.Run("event=stream-plain/tokens="+tc.name, func(b *testing.B) {
			vars, token := tc.env(b)
			env := map[string]string{"GRIP_URL": testGripURL}
			if vars != nil {
				env[clienttoken.EnvIssuer], env[clienttoken.EnvAudience] = benchIssuer, benchAudience
				for k, v := range vars {
					env[k] = v
				}
			}
			// b.Context lives as long as the benchmark: the JWKS refresh stops with it.
			invoker, err := edge.NewHTTPHandler(b.Context(), func(k string) string { return env[k] },
				slog.New(slog.NewJSONHandler(io.Discard, nil)), setup)
			if err != nil {
				b.Fatal(err)
			}
			event := withAuthorization(b, eventtest.Load(b, "stream-plain.json"), token)
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				out, err := invoker.Invoke(ctx, event)
				if err != nil || !bytes.Contains(out, []byte(`"statusCode":200`)) {
					b.Fatalf("response %.300s, err %v", out, err)
				}
			}
		})
	}
}

// benchClaims grant the sample event's channel for an hour from now: the
// verifier reads the wall clock.
func benchClaims() jwt.MapClaims {
	return jwt.MapClaims{"iss": benchIssuer, "aud": benchAudience, "sub": "bench",
		"exp": time.Now().Add(time.Hour).Unix(), "channels": []string{"news"}}
}

func benchHS256(b *testing.B) string {
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, benchClaims()).SignedString([]byte(benchSecret))
	if err != nil {
		b.Fatal(err)
	}
	return s
}

// benchRS256 serves a one-key JWKS on loopback (a local run may use http)
// and signs a token with that key.
func benchRS256(b *testing.B) (map[string]string, string) {
	key, err := rsa.GenerateKey(rand.Reader, 2048) // the size identity providers use
	if err != nil {
		b.Fatal(err)
	}
	b64 := base64.RawURLEncoding.EncodeToString
	set, _ := json.Marshal(map[string]any{"keys": []map[string]string{{"kty": "RSA", "kid": "bench", "alg": "RS256", "use": "sig",
		"n": b64(key.N.Bytes()), "e": b64(big.NewInt(int64(key.E)).Bytes())}}})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(set)
	}))
	b.Cleanup(srv.Close)
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, benchClaims())
	tok.Header["kid"] = "bench"
	s, err := tok.SignedString(key)
	if err != nil {
		b.Fatal(err)
	}
	return map[string]string{clienttoken.EnvJWKSURL: srv.URL}, s
}

// withAuthorization adds "authorization: Bearer <token>" to an HTTP API event.
func withAuthorization(b *testing.B, event []byte, token string) []byte {
	var e map[string]any
	if err := json.Unmarshal(event, &e); err != nil {
		b.Fatal(err)
	}
	e["headers"].(map[string]any)["authorization"] = "Bearer " + token
	out, err := json.Marshal(e)
	if err != nil {
		b.Fatal(err)
	}
	return out
}
