package sig

import (
	"bytes"
	"errors"
	"fmt"
)

// minHMACKeyBytes is the shortest HMAC verify key checkKeyStrength accepts:
// RFC 7518 (3.2) requires an HS256 key at least as long as its 256-bit hash.
const minHMACKeyBytes = 32

// pushpinStockKey is the sig_key Pushpin ships with. Anyone can sign with
// it, and the sample events in this repository carry tokens signed with it.
const pushpinStockKey = "changeme"

// errWeakKey is wrapped by the errors of a weak key (see NewPolicy).
var errWeakKey = errors.New("grip-sig: weak verify key")

// fixWeakKey says what to do about a weak key, for every kind of deployment.
// Pushpin signs with sig_key's text as is, so the verify key is that same text.
const fixWeakKey = "use a random secret of at least 32 bytes: for Pushpin set [proxy] sig_key " +
	"in pushpin.conf to the output of `openssl rand -hex 32` and put that same text " +
	"as verify-key in the GRIP URL secret"

// checkKeyStrength decides whether key, in any spelling newVerifier accepts,
// is fit to guard a deployed origin. It compares the decoded key bytes, so
// "changeme", "base64:Y2hhbmdlbWU=" and {"kty":"oct","k":"Y2hhbmdlbWU"} are the
// same key, and so are they followed by zero bytes. HMAC secrets must be at
// least minHMACKeyBytes long and not Pushpin's stock key; public keys
// (ES256, RS256) are strong by construction (newVerifier already refuses
// small RSA keys).
//
// The error wraps errWeakKey (or errBadKey for a key newVerifier refuses),
// says what to do, and never contains the key.
func checkKeyStrength(key string) error {
	vk, err := parseKey(key)
	if err != nil {
		return err
	}
	secret, ok := vk.key.([]byte)
	if !ok {
		return nil
	}
	// HMAC pads a key shorter than its block with zero bytes, so trailing
	// zeros change nothing: "changeme\x00\x00..." signs as "changeme",
	// and padding does not make a short key long.
	secret = bytes.TrimRight(secret, "\x00")
	switch {
	case bytes.Equal(secret, []byte(pushpinStockKey)):
		return fmt.Errorf("%w: it is Pushpin's stock sig_key, which anyone can sign with: %s", errWeakKey, fixWeakKey)
	case len(secret) < minHMACKeyBytes:
		return fmt.Errorf("%w: an HMAC secret of %d bytes (trailing zero bytes do not count) is shorter than the %d required: %s", errWeakKey, len(secret), minHMACKeyBytes, fixWeakKey)
	}
	return nil
}
