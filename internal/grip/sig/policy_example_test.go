package sig_test

import (
	"fmt"
	"net/http"

	"github.com/faas-grip/faas-grip-go/internal/grip"
	"github.com/faas-grip/faas-grip-go/internal/grip/sig"
)

// An origin's policy from its GRIP_URL: a Fastly service URL needs no
// verify-key, Fastly's published key and issuer are the default.
func ExampleNewPolicy() {
	cfg, err := grip.ParseConfig("https://api.fastly.com/service/SID?key=api-token", "")
	if err != nil {
		fmt.Println(err)
		return
	}
	policy, err := sig.NewPolicy(cfg.Endpoints, sig.PolicyOptions{Required: true, Deployed: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, h := range []http.Header{{}, {"Grip-Sig": {"not-a-jwt"}}} {
		refusal := policy.Authorize(h)
		fmt.Println(refusal.Status, refusal.Message)
	}
	// Output:
	// 401 this endpoint must be reached through a GRIP proxy (Pushpin or Fastly Fanout)
	// 403 invalid Grip-Sig
}
