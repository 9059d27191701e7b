package sig_test

import (
	"fmt"
	"net/http"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/faas-grip/faas-grip-go/internal/grip/sig"
)

// A Pushpin origin: HS256 with pushpin.conf's sig_key and iss "pushpin".
func Example() {
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	verifier, err := sig.NewVerifier("pushpin", "changeme", sig.WithClock(func() time.Time { return now }))
	if err != nil {
		fmt.Println(err)
		return
	}

	// What Pushpin puts on each request (built here only for the example).
	pushpinClaims := jwt.MapClaims{"iss": "pushpin", "exp": now.Add(time.Hour).Unix()}
	token, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, pushpinClaims).SignedString([]byte("changeme"))
	forged, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, pushpinClaims).SignedString([]byte("guess"))

	for _, header := range []http.Header{
		{},                        // called directly, not through the proxy
		{"Grip-Sig": {token}},     // through the proxy
		{"Grip-Sig": {forged}},    // someone pretending to be the proxy
		{"Grip-Sig": {"garbage"}}, // not even a JWT
	} {
		res := verifier.Check(header)
		fmt.Printf("%s: %v\n", res.Status, res.Err)
	}
	// Output:
	// not proxied: <nil>
	// valid: <nil>
	// invalid: grip-sig: signature does not verify
	// invalid: grip-sig: malformed token: token contains an invalid number of segments
}

// A Fastly Fanout origin: ES256 with Fastly's published key, as JWK JSON
// (PEM works too), and the service's issuer.
func ExampleNewVerifier() {
	const fastlyKey = `{"kty":"EC","crv":"P-256","x":"CKo5A1ebyFcnmVV8SE5On-8G81JyBjSvcrx4VLetWCg","y":"7gwJqaU6N8TP88--twjkwoB36f-pT3QsmI46nPhjO7M"}`
	verifier, err := sig.NewVerifier("fastly:SERVICEID", fastlyKey)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(verifier.Algorithm())

	// A key that cannot be used is an error that never repeats the key.
	_, err = sig.NewVerifier("", `{"kty":"EC","crv":"P-256","x":"AAAA","y":"AAAA"}`)
	fmt.Println(err)
	// Output:
	// ES256
	// grip-sig: unusable verify key: JWK members x and y must be 32 bytes each for P-256
}
