package sig

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"net/http"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// FuzzCheckToken feeds arbitrary strings to HS256 and ES256 verifiers. The
// only token allowed to be Valid is the one seed signed with Pushpin's
// default key; any other Valid is a forgery. The seed corpus lives in
// testdata/fuzz/FuzzCheckToken.
func FuzzCheckToken(f *testing.F) {
	hs, err := newVerifier("pushpin", "changeme", withClock(fixedClock))
	if err != nil {
		f.Fatal(err)
	}
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		f.Fatal(err)
	}
	ecPEM, err := publicPEM(&ecKey.PublicKey)
	if err != nil {
		f.Fatal(err)
	}
	es, err := newVerifier("", ecPEM, withClock(fixedClock))
	if err != nil {
		f.Fatal(err)
	}
	// HMAC signing is deterministic, so this is also a file in the corpus.
	valid := sign(f, jwt.SigningMethodHS256, []byte("changeme"), claims("pushpin", time.Hour))
	f.Add(valid)
	f.Add(sign(f, jwt.SigningMethodES256, ecKey, claims("x", -time.Hour))) // expired, right key

	f.Fuzz(func(t *testing.T, token string) {
		for _, v := range []*tokenVerifier{hs, es} {
			res := v.checkToken(token)
			switch {
			case res.Status == statusNotProxied:
				t.Fatalf("%s: CheckToken returned NotProxied", v.alg)
			case (res.Status == statusInvalid) != (res.Err != nil):
				t.Fatalf("%s: Status %v with Err %v", v.alg, res.Status, res.Err)
			case res.Status == statusValid && !(v == hs && token == valid):
				t.Fatalf("%s: forged token accepted: %q", v.alg, token)
			}
			if got := v.check(http.Header{headerName: {token}}); got.Status != res.Status {
				t.Fatalf("%s: Check says %v, CheckToken %v", v.alg, got.Status, res.Status)
			}
		}
	})
}
