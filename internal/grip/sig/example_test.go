package sig_test

import (
	"fmt"
	"net/http"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/faas-grip/faas-grip-go/internal/grip"
	"github.com/faas-grip/faas-grip-go/internal/grip/sig"
)

// A Pushpin origin: HS256 with pushpin.conf's sig_key and iss "pushpin",
// named by the GRIP URL's verify-iss and verify-key.
func Example() {
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	cfg, err := grip.ParseConfig("http://localhost:5561?verify-iss=pushpin&verify-key=changeme", "")
	if err != nil {
		fmt.Println(err)
		return
	}
	policy, err := sig.NewPolicy(cfg.Endpoints, sig.PolicyOptions{Required: true, Now: func() time.Time { return now }})
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
		if refusal := policy.Authorize(header); refusal != nil {
			fmt.Printf("%d: %s\n", refusal.Status, refusal.Reason)
		} else {
			fmt.Println("served")
		}
	}
	// Output:
	// 401: no Grip-Sig header
	// served
	// 403: grip-sig: signature does not verify
	// 403: grip-sig: malformed token: token contains an invalid number of segments
}

// A key that cannot be used is an error at cold start that never repeats
// the key; when deployed, so is a key anyone can guess.
func ExampleNewPolicy_badKeys() {
	for _, url := range []string{
		`http://localhost:5561?verify-key={"kty":"EC","crv":"P-256","x":"AAAA","y":"AAAA"}`,
		"http://localhost:5561?verify-iss=pushpin&verify-key=base64:Y2hhbmdlbWU=",
	} {
		cfg, err := grip.ParseConfig(url, "")
		if err != nil {
			fmt.Println(err)
			return
		}
		_, err = sig.NewPolicy(cfg.Endpoints, sig.PolicyOptions{Required: true, Deployed: true})
		fmt.Println(err)
	}
	// Output:
	// the Grip-Sig verify key of http://localhost:5561 (auth=none verify-key=set): grip-sig: unusable verify key: JWK members x and y must be 32 bytes each for P-256
	// the Grip-Sig verify key of http://localhost:5561 (auth=none verify-iss=pushpin verify-key=set): grip-sig: weak verify key: it is Pushpin's stock sig_key, which anyone can sign with: use a random secret of at least 32 bytes: for Pushpin set [proxy] sig_key in pushpin.conf to the output of `openssl rand -hex 32` and put that same text as verify-key in the GRIP URL secret

}
