// Package clienttoken decides which end users may use a function: it
// verifies the bearer token (a JWT) a browser or app sends, and says which
// channels it grants. Tokens are off by default; setting an issuer, an
// audience and one key turns them on.
//
// At cold start:
//
//	tokens, err := clienttoken.FromEnv(ctx, os.Getenv, clienttoken.Options{
//		Deployed:   env.Deployed,
//		LoadSecret: sm.GetSecretString, // for CLIENT_TOKEN_SECRET_ARN
//	})
//	if err != nil {
//		return err // partial settings: the message names what to set
//	}
//	logger.Info(tokens.String()) // "client tokens off", or what it accepts
//
// For each request:
//
//	claims, refused := tokens.Authorize(ctx, r.Header, r.Query, channel)
//	if refused != nil {
//		logger.WarnContext(ctx, "token refused", "status", refused.Status, "reason", refused.Reason)
//		return answer(refused.Status, refused.Header(), refused.Message)
//	}
//	// claims is nil when tokens are off; else claims.Subject, claims.Name...
//
// # Where the token comes from
//
// RFC 6750: the Authorization header ("Bearer <token>"), or the access_token
// query parameter for browsers, whose WebSocket and EventSource cannot set
// headers (Pushpin repeats the original URI, query included, on every
// WebSocket-over-HTTP request, so each one carries the token). Both at once,
// or either twice, is a 400 invalid_request: one token per request. A
// token in a URI can reach access logs (Pushpin's, a CDN's; RFC 6750 §5.3):
// keep such tokens short-lived.
//
// # What is checked
//
// The signature, with the algorithm pinned to the key: RS256 or ES256 for
// keys from a JWKS (a key is used only for the alg it declares and fits, so
// an HS256 token "signed" with a public key never passes), HS256 only for a
// shared secret. Then iss, aud and exp, which must be present, nbf when
// present, and sub, which must be present. exp and nbf get Leeway (30 s).
//
// Refusals follow RFC 6750 §3: no token is a 401 with a bare "Bearer"
// challenge; a bad one a 401 invalid_token, whose description says only
// "expired", "not valid yet" or "invalid token"; a good token without the
// channel a 403 insufficient_scope. Refusal.Reason tells the log more. No
// refusal, error or log line ever holds the token or a key.
//
// # Keys
//
// A JWKS (CLIENT_TOKEN_JWKS_URL; Cognito, Auth0, any OIDC provider) is
// fetched in the cold start, not on the first request: Lambda bills the
// init phase anyway and the first client waits through either, but only at
// init can a wrong URL or an unreachable provider fail loudly, once, instead
// of as a 401 on every request. The fetch gives up after JWKSTimeout. After
// that the set is refetched hourly, and when a token names a kid it does
// not hold, at most once a minute (RefreshUnknownKIDEvery): a rotated key is
// picked up by its first token, and made-up kids cost one fetch a minute.
//
// An HS256 secret (CLIENT_TOKEN_SECRET locally; CLIENT_TOKEN_SECRET_ARN,
// read through Options.LoadSecret, when deployed) is used as its bytes.
// A deployment refuses one shorter than MinSecretBytes. SignHS256 mints
// tokens for it: see tools/cmd/token for local runs.
//
// # Grants
//
// The channels claim is an array of channel names; an entry ending in "*"
// grants every name starting with the rest ("news*" grants "news" and
// "newsletter"; "*" grants all). Claims.Expired tells a long-lived
// connection (the chat) when its token runs out.
//
// # Cognito
//
// The issuer is https://cognito-idp.<region>.amazonaws.com/<pool-id>, the
// keys are at <issuer>/.well-known/jwks.json, the audience is the app client
// id. Send the ID token: access tokens carry client_id instead of aud and
// are refused. The channels claim comes from a pre token generation trigger.
package clienttoken
