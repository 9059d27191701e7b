package clienttoken

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// TestNoTokenInRefusals proves that no refusal, on any path, repeats the
// token or a piece of it: each of its dot-separated parts, and every run of
// 10 of its characters, is looked for in every field and in Error().
func TestNoTokenInRefusals(t *testing.T) {
	k := keys()
	var logs bytes.Buffer
	jwksV, err := New(t.Context(), Config{Issuer: testIss, Audience: testAud, JWKSURL: standardJWKS(t).URL,
		now: fixedClock, Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	hsV := newHS256(t)
	b64 := base64.RawURLEncoding.EncodeToString
	hsTok := func(c jwt.MapClaims) string { return sign(t, jwt.SigningMethodHS256, testSecret, "", c) }
	tokens := map[string]string{
		"valid HS256 (refused for the channel)": hsTok(claimsAt()),
		"valid RS256 (refused for the channel)": sign(t, jwt.SigningMethodRS256, k.rsa, "r", claimsAt()),
		"expired":                               hsTok(with(claimsAt(), "exp", testNow.Add(-time.Hour).Unix())),
		"nbf":                                   hsTok(with(claimsAt(), "nbf", testNow.Add(time.Hour).Unix())),
		"aud":                                   hsTok(with(claimsAt(), "aud", "someone-else")),
		"iss":                                   hsTok(with(claimsAt(), "iss", "https://evil.example")),
		"no sub":                                hsTok(with(claimsAt(), "sub", nil)),
		"channels a string":                     hsTok(with(claimsAt(), "channels", "a-secret-channel-list")),
		"alg none":                              sign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, "r", claimsAt()),
		"HS256 with the RSA public key":         sign(t, jwt.SigningMethodHS256, rsaPublicPEM(t), "r", claimsAt()),
		"unknown kid":                           sign(t, jwt.SigningMethodES256, k.ec, "kid-nobody-knows-0123456789", claimsAt()),
		"kid of the wrong kind":                 sign(t, jwt.SigningMethodRS256, k.rsa, "e", claimsAt()),
		"broken header JSON":                    b64([]byte(`{"alg":"HS256","kid":"header-piece-0123456789`)) + "." + b64([]byte(`{"sub":"x"}`)) + ".c2ln",
		"broken payload JSON":                   b64([]byte(`{"alg":"HS256"}`)) + "." + b64([]byte(`{"sub":"payload-piece-0123456789`)) + ".c2ln",
		"not base64":                            "bm90.YmFzZTY0~~~.c2ln",
		"too long":                              strings.Repeat("abcdefghij", maxTokenBytes/10+1),
	}
	for name, tok := range tokens {
		for _, v := range []*Verifier{hsV, jwksV} {
			for _, via := range []string{"header", "query", "both"} {
				h, q := bearer(tok), url.Values{"access_token": {tok}}
				switch via {
				case "header":
					q = nil
				case "query":
					h = nil
				}
				c, refused := v.Authorize(t.Context(), h, q, "a-channel-not-granted")
				if refused == nil {
					t.Fatalf("%s via %s: accepted as %+v", name, via, c)
				}
				assertNoToken(t, name+" via "+via, tok, fmt.Sprintf("%#v %s", *refused, refused.Error()))
			}
		}
	}
	assertNoToken(t, "the refresh log", strings.Join(mapValues(tokens), " "), logs.String())
}

// TestNoSecretInConfigErrors proves a secret never reaches an error or the
// Verifier's description.
func TestNoSecretInConfigErrors(t *testing.T) {
	secret := "a-short-secret-value"
	env := map[string]string{EnvIssuer: testIss, EnvAudience: testAud, EnvSecretARN: "arn:s"}
	load := func(context.Context, string) (string, error) { return secret, nil }
	_, err := FromEnv(t.Context(), func(k string) string { return env[k] }, Options{LoadSecret: load})
	if !errors.Is(err, ErrConfig) {
		t.Fatalf("err = %v", err)
	}
	assertNoToken(t, "short secret error", secret, err.Error())
	_, err = New(t.Context(), Config{Issuer: testIss, Audience: testAud, Secret: []byte(secret), JWKSURL: "https://x"})
	assertNoToken(t, "two keys error", secret, err.Error())
	v, err := New(t.Context(), Config{Issuer: testIss, Audience: testAud, Secret: []byte(secret)})
	if err != nil {
		t.Fatal(err)
	}
	assertNoToken(t, "String()", secret, v.String())
}

// assertNoToken fails if out holds any part of secret: a dot-separated
// piece of 4 or more bytes, or any 10 consecutive bytes.
func assertNoToken(t *testing.T, what, secret, out string) {
	t.Helper()
	for _, piece := range strings.Split(secret, ".") {
		if len(piece) >= 4 && strings.Contains(out, piece) {
			t.Fatalf("%s: output holds a piece of the token: %s", what, out)
		}
	}
	for i := 0; i+10 <= len(secret); i++ {
		if w := secret[i : i+10]; strings.Contains(out, w) {
			t.Fatalf("%s: output holds %q, from the token: %s", what, w, out)
		}
	}
}

func mapValues(m map[string]string) []string {
	var vs []string
	for _, v := range m {
		vs = append(vs, v)
	}
	return vs
}
