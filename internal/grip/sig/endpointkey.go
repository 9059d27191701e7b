package sig

import (
	"crypto/ecdsa"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"

	"github.com/faas-grip/faas-grip-go/internal/grip"
)

// fastlyKey is the public key (a JWK) Fastly Fanout signs Grip-Sig with.
// endpointKey uses it for an api.fastly.com endpoint without a verify-key,
// so a Fastly GRIP_URL needs only the service path and the API token.
const fastlyKey = `{"kty":"EC","crv":"P-256","x":"CKo5A1ebyFcnmVV8SE5On-8G81JyBjSvcrx4VLetWCg","y":"7gwJqaU6N8TP88--twjkwoB36f-pT3QsmI46nPhjO7M"}`

// fastlyIssuerPrefix starts the iss of every token Fastly signs: fastly:<SID>.
const fastlyIssuerPrefix = "fastly:"

// errFastlyIssuer is wrapped by the errors of an endpoint that would accept
// Fastly's key without naming its own service: every Fastly customer's
// Fanout signs with that key, so only the issuer tells this origin's apart.
var errFastlyIssuer = errors.New("grip-sig: Fastly's key needs this service's issuer")

// fastlyPublicKey is fastlyKey parsed, for recognising it in any spelling.
var fastlyPublicKey = sync.OnceValue(func() *ecdsa.PublicKey {
	vk, err := parseKey(fastlyKey)
	if err != nil {
		panic("sig: fastlyKey does not parse: " + err.Error())
	}
	return vk.key.(*ecdsa.PublicKey)
})

// endpointKey says how the Grip-Sig of requests forwarded by ep's proxy is
// checked, in this order:
//   - the endpoint's verify-iss and verify-key, when it has a verify-key;
//   - for https://api.fastly.com/service/<SID>: fastlyKey and issuer
//     "fastly:<SID>";
//   - for a legacy Fanout Cloud URL (iss and key): the realm key itself,
//     which signs both ways, with any issuer;
//   - otherwise no key (""): nothing can be verified.
//
// Fastly's key, however it is given, is used only with the issuer
// "fastly:<SID>" (the URL's SID on api.fastly.com); anything else is an
// error wrapping errFastlyIssuer that says what to write.
func endpointKey(ep grip.Endpoint) (issuer, key string, err error) {
	sid, onFastly := fastlyService(ep.ControlURI)
	if onFastly && sid == "" {
		// grip.ParseConfig refuses this URL; an Endpoint built by hand may not.
		return "", "", fmt.Errorf("%w: write the control URI as https://api.fastly.com/service/<SERVICE_ID>", errFastlyIssuer)
	}
	issuer, key = ep.VerifyIssuer, ep.VerifyKey
	switch {
	case key == "" && onFastly:
		key = fastlyKey
	case key == "" && ep.Issuer != "" && len(ep.Key) > 0:
		return "", "base64:" + base64.StdEncoding.EncodeToString(ep.Key), nil
	case key == "" || !isFastlyKey(key):
		return issuer, key, nil
	}
	if onFastly {
		want := fastlyIssuerPrefix + sid
		if issuer == "" {
			issuer = want
		}
		if issuer != want {
			return "", "", fmt.Errorf("%w: Fastly signs this service's requests with iss %q: remove verify-iss or write verify-iss=%s", errFastlyIssuer, want, want)
		}
		return issuer, key, nil
	}
	if !strings.HasPrefix(issuer, fastlyIssuerPrefix) || issuer == fastlyIssuerPrefix {
		return "", "", fmt.Errorf("%w: with Fastly's public key as verify-key, write verify-iss=fastly:<SERVICE_ID>", errFastlyIssuer)
	}
	return issuer, key, nil
}

// isFastlyKey reports whether key, in any spelling parseKey reads, is
// Fastly's public key.
func isFastlyKey(key string) bool {
	vk, err := parseKey(key)
	if err != nil {
		return false
	}
	pub, ok := vk.key.(*ecdsa.PublicKey)
	return ok && pub.Equal(fastlyPublicKey())
}

// fastlyService reports whether controlURI is Fastly's API, and the service
// id when its path is exactly /service/<SID> ("" otherwise).
func fastlyService(controlURI string) (sid string, ok bool) {
	u, err := url.Parse(controlURI)
	if err != nil || !strings.EqualFold(u.Hostname(), "api.fastly.com") {
		return "", false
	}
	sid, named := strings.CutPrefix(strings.TrimSuffix(u.Path, "/"), "/service/")
	if !named || strings.Contains(sid, "/") {
		return "", true
	}
	return sid, true
}
