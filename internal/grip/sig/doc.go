// Package sig verifies Grip-Sig, the JWT a GRIP proxy (Pushpin, Fastly
// Fanout) adds to every request it forwards to the origin.
//
// Why it matters: the proxy tells the origin who the client is through
// request headers such as Connection-Id and Meta-*. Anyone who can reach the
// origin's URL directly can send those headers too. Grip-Sig proves that a
// request came through your proxy, so a deployed origin must check it and
// treat a request that fails the check as untrusted.
//
// Which key to configure:
//
//   - Pushpin signs with HS256, iss "pushpin", and the secret sig_key from
//     pushpin.conf (default "changeme": change it).
//   - Fastly Fanout signs with ES256, iss "fastly:<service id>", and Fastly's
//     published P-256 key, given here as PEM or JWK JSON.
//   - Legacy Fanout Cloud signs with HS256 and the realm key ("base64:...").
//
// The whole policy of an origin lives here, and package edge applies it to
// every request before a handler runs:
//
//	policy, err := sig.NewPolicy(cfg.Endpoints, sig.PolicyOptions{Required: true, Deployed: true})
//	...
//	if refusal := policy.Authorize(req.Header); refusal != nil {
//		// answer refusal.Status with refusal.Message; log refusal.Reason
//	}
//
// Its parts:
//
//   - NewPolicy: one verifier per distinct key. An endpoint's key is its
//     verify-key; for api.fastly.com/service/<SID> without one, Fastly's
//     published key and issuer "fastly:<SID>"; for a legacy Fanout Cloud
//     URL, the realm key. Every Fastly service shares Fastly's key, so it
//     is used only with the issuer of this origin's service. NewPolicy
//     refuses a key it cannot use, and when deployed a key anyone can
//     guess: Pushpin's stock key ("changeme") in any spelling, or an HMAC
//     secret under 32 bytes, trailing zero bytes not counted (HMAC pads
//     with them). Its errors never contain the key.
//   - Policy.Authorize: serve (nil), or refuse with 401 (no Grip-Sig), 403
//     (a Grip-Sig that does not verify) or 500 (one is required, no key is
//     set). The reason names what failed (expired, wrong issuer, bad
//     signature, ...) and never contains the key or the token.
//
// Each verifier works out the kind of key from its text and pins the
// algorithm to it: an ES256 verifier accepts only ES256 tokens. That closes
// the classic JWT holes: alg "none", and an HS256 token whose HMAC secret is
// the (public) bytes of an RSA or EC key. Every token must carry exp; iss is
// checked when an issuer is configured. A token that does not verify counts
// as absent, as the GRIP spec says.
//
// The proxy signs every request, but its tokens change only once a second,
// so a verifier remembers the last token that verified: the same token again
// costs a comparison and a clock check instead of an HMAC or ECDSA check.
package sig
