package sig

import (
	"encoding/base64"
	"net/url"
	"strings"

	"github.com/faas-grip/faas-grip-go/internal/grip"
)

// fastlyKey is the public key (a JWK) Fastly Fanout signs Grip-Sig with.
// endpointKey uses it for an api.fastly.com endpoint without a verify-key,
// so a Fastly GRIP_URL needs only the service path and the API token.
const fastlyKey = `{"kty":"EC","crv":"P-256","x":"CKo5A1ebyFcnmVV8SE5On-8G81JyBjSvcrx4VLetWCg","y":"7gwJqaU6N8TP88--twjkwoB36f-pT3QsmI46nPhjO7M"}`

// endpointKey says how the Grip-Sig of requests forwarded by ep's proxy is
// checked, in this order:
//   - the endpoint's verify-iss and verify-key, when it has a verify-key;
//   - for https://api.fastly.com/service/<SID>: fastlyKey and issuer
//     "fastly:<SID>" (a verify-iss given without verify-key wins);
//   - for a legacy Fanout Cloud URL (iss and key): the realm key itself,
//     which signs both ways, with any issuer;
//   - otherwise no key (""): nothing can be verified.
func endpointKey(ep grip.Endpoint) (issuer, key string) {
	if ep.VerifyKey != "" {
		return ep.VerifyIssuer, ep.VerifyKey
	}
	if sid, ok := fastlyService(ep.ControlURI); ok {
		issuer = ep.VerifyIssuer
		if issuer == "" && sid != "" {
			issuer = "fastly:" + sid
		}
		return issuer, fastlyKey
	}
	if ep.Issuer != "" && len(ep.Key) > 0 {
		return "", "base64:" + base64.StdEncoding.EncodeToString(ep.Key)
	}
	return "", ""
}

// fastlyService reports whether controlURI is Fastly's API, and the service
// id in its /service/<SID> path ("" when the path names none).
func fastlyService(controlURI string) (sid string, ok bool) {
	u, err := url.Parse(controlURI)
	if err != nil || !strings.EqualFold(u.Hostname(), "api.fastly.com") {
		return "", false
	}
	segments := strings.Split(strings.Trim(u.Path, "/"), "/")
	if len(segments) >= 2 && segments[0] == "service" {
		return segments[1], true
	}
	return "", true
}
