package sig

import (
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// BenchmarkCheck measures one Grip-Sig check per request. "cached" is the
// common case (the proxy's token changes once a second); "uncached"
// alternates two tokens so every check verifies a signature.
func BenchmarkCheck(b *testing.B) {
	ks := testKeys(b)
	kinds := []struct {
		name   string
		key    string
		method jwt.SigningMethod
		signer any
	}{
		{"HS256", ks.secret, jwt.SigningMethodHS256, []byte(ks.secret)},
		{"ES256", ks.ecPEM, jwt.SigningMethodES256, ks.ec},
	}
	for _, k := range kinds {
		v := newTestVerifier(b, "pushpin", k.key)
		tokens := []string{
			sign(b, k.method, k.signer, claims("pushpin", time.Hour)),
			sign(b, k.method, k.signer, claims("pushpin", time.Hour+time.Second)),
		}
		header := map[string][]string{headerName: {tokens[0]}}
		b.Run(k.name+"/cached", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if v.check(header).Status != statusValid {
					b.Fatal("not valid")
				}
			}
		})
		b.Run(k.name+"/uncached", func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				i++
				if v.checkToken(tokens[i%2]).Status != statusValid {
					b.Fatal("not valid")
				}
			}
		})
	}
}
