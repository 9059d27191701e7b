package grip

import (
	"crypto/sha256"
	"encoding/hex"
	"net/url"
)

// endpointID names an endpoint stably and without secrets (see
// Publisher.EndpointIDs), so that callers can record which endpoints
// accepted a message (in a durable store, across invocations and cold
// starts) and publish it again to the others only.
//
// It is "ep-" and 16 hex digits of the SHA-256 of the control URI without
// user info: the same GRIP_URL gives the same IDs, a rotated key keeps
// them, and nothing in an ID can be turned back into a credential.
func endpointID(controlURI string) string {
	if u, err := url.Parse(controlURI); err == nil {
		u.User = nil
		controlURI = u.String()
	}
	sum := sha256.Sum256([]byte(controlURI))
	return "ep-" + hex.EncodeToString(sum[:8])
}
