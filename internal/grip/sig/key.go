package sig

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"strings"
)

// The algorithms a verifier can be pinned to, as JWT names them.
const (
	algHS256 = "HS256"
	algES256 = "ES256"
	algRS256 = "RS256"
)

// minRSABits is the smallest RSA modulus accepted: smaller keys are breakable
// and Go refuses to verify with keys under 1024 bits anyway.
const minRSABits = 2048

// verifyKey is a parsed key and the one algorithm it may verify.
type verifyKey struct {
	alg string // HS256, ES256 or RS256
	key any    // []byte, *ecdsa.PublicKey or *rsa.PublicKey
}

// badKey builds the error newVerifier returns. The reason must never contain
// the key, only what is wrong with it.
func badKey(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{errBadKey}, args...)...)
}

// parseKey decides what kind of key s is, in this order: PEM, JWK JSON,
// "base64:" bytes (PEM or a secret), and otherwise a plain HS256 secret.
func parseKey(s string) (verifyKey, error) {
	trimmed := strings.TrimSpace(s)
	switch {
	case trimmed == "":
		return verifyKey{}, badKey("the key is empty")
	case strings.HasPrefix(trimmed, "-----BEGIN"):
		return parsePEM([]byte(trimmed))
	case strings.HasPrefix(trimmed, "{"):
		return parseJWK([]byte(trimmed))
	case strings.HasPrefix(trimmed, "base64:"):
		raw, err := decodeStdBase64(strings.TrimPrefix(trimmed, "base64:"))
		if err != nil {
			return verifyKey{}, badKey("the text after \"base64:\" is not valid base64: %w", err)
		}
		if bytes.HasPrefix(bytes.TrimSpace(raw), []byte("-----BEGIN")) {
			return parsePEM(raw)
		}
		if len(raw) == 0 {
			return verifyKey{}, badKey("the key is empty")
		}
		return verifyKey{alg: algHS256, key: raw}, nil
	}
	// A plain secret is used exactly as given: whitespace may be part of it.
	return verifyKey{alg: algHS256, key: []byte(s)}, nil
}

// decodeStdBase64 accepts standard base64 with or without padding.
func decodeStdBase64(s string) ([]byte, error) {
	raw, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		raw, err = base64.RawStdEncoding.DecodeString(s)
	}
	return raw, err
}

// parsePEM reads the first PEM block: a public key (PKIX or PKCS#1) or a
// certificate whose public key is used.
func parsePEM(data []byte) (verifyKey, error) {
	block, _ := pem.Decode(data)
	if block == nil {
		return verifyKey{}, badKey("PEM data has no readable block")
	}
	var (
		pub any
		err error
	)
	switch {
	case block.Type == "PUBLIC KEY":
		pub, err = x509.ParsePKIXPublicKey(block.Bytes)
	case block.Type == "RSA PUBLIC KEY":
		pub, err = x509.ParsePKCS1PublicKey(block.Bytes)
	case block.Type == "CERTIFICATE":
		var cert *x509.Certificate
		if cert, err = x509.ParseCertificate(block.Bytes); err == nil {
			pub = cert.PublicKey
		}
	case strings.Contains(block.Type, "PRIVATE KEY"):
		return verifyKey{}, badKey("a private key was given: configure the matching public key instead")
	default:
		return verifyKey{}, badKey("PEM block type %q is not a public key or certificate", block.Type)
	}
	if err != nil {
		// x509 errors describe the structure, never the key bytes.
		return verifyKey{}, badKey("cannot parse the PEM %s: %w", strings.ToLower(block.Type), err)
	}
	return fromPublicKey(pub)
}

// fromPublicKey pins a public key to its algorithm.
func fromPublicKey(pub any) (verifyKey, error) {
	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		if k.Curve != elliptic.P256() {
			return verifyKey{}, badKey("EC key on curve %s: only P-256 (ES256) is supported", k.Curve.Params().Name)
		}
		return verifyKey{alg: algES256, key: k}, nil
	case *rsa.PublicKey:
		if bits := k.N.BitLen(); bits < minRSABits {
			return verifyKey{}, badKey("RSA key has %d bits: at least %d are required", bits, minRSABits)
		}
		return verifyKey{alg: algRS256, key: k}, nil
	}
	return verifyKey{}, badKey("public key type %T is not supported (use EC P-256 or RSA)", pub)
}

// jwk holds the JSON Web Key members this package reads (RFC 7517, 7518).
type jwk struct {
	Kty string `json:"kty"`
	Alg string `json:"alg"`
	Crv string `json:"crv"`
	X   string `json:"x"`
	Y   string `json:"y"`
	N   string `json:"n"`
	E   string `json:"e"`
	K   string `json:"k"`
	D   string `json:"d"`
}

// parseJWK reads a single JSON Web Key: EC P-256, RSA or oct (a secret).
func parseJWK(data []byte) (verifyKey, error) {
	var k jwk
	if err := json.Unmarshal(data, &k); err != nil {
		// json errors can quote the input, so only say what failed.
		return verifyKey{}, badKey("the key looks like a JWK but is not a valid JSON object")
	}
	if k.D != "" {
		return verifyKey{}, badKey("the JWK is a private key: configure its public part instead")
	}
	var (
		vk  verifyKey
		err error
	)
	switch k.Kty {
	case "EC":
		vk, err = ecFromJWK(k)
	case "RSA":
		vk, err = rsaFromJWK(k)
	case "oct":
		secret, derr := decodeURLBase64(k.K)
		switch {
		case derr != nil:
			err = badKey("JWK member k is not base64url")
		case len(secret) == 0:
			err = badKey("JWK member k is empty")
		default:
			vk = verifyKey{alg: algHS256, key: secret}
		}
	case "":
		err = badKey("the JWK has no kty (a JWK set {\"keys\": [...]} is not accepted: give one key)")
	default:
		err = badKey("JWK kty %q is not supported (use EC, RSA or oct)", k.Kty)
	}
	if err != nil {
		return verifyKey{}, err
	}
	if k.Alg != "" && k.Alg != vk.alg {
		return verifyKey{}, badKey("JWK alg %q does not match its key type (%s)", k.Alg, vk.alg)
	}
	return vk, nil
}

func ecFromJWK(k jwk) (verifyKey, error) {
	if k.Crv != "P-256" {
		return verifyKey{}, badKey("JWK crv %q is not supported (only P-256)", k.Crv)
	}
	x, errX := decodeURLBase64(k.X)
	y, errY := decodeURLBase64(k.Y)
	if errX != nil || errY != nil {
		return verifyKey{}, badKey("JWK members x and y must be base64url")
	}
	const size = 32 // bytes per P-256 coordinate
	if len(x) != size || len(y) != size {
		return verifyKey{}, badKey("JWK members x and y must be %d bytes each for P-256", size)
	}
	point := make([]byte, 0, 1+2*size)
	point = append(append(append(point, 4), x...), y...) // SEC 1 uncompressed form
	pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), point)
	if err != nil {
		return verifyKey{}, badKey("JWK x, y is not a point on P-256")
	}
	return verifyKey{alg: algES256, key: pub}, nil
}

func rsaFromJWK(k jwk) (verifyKey, error) {
	n, errN := decodeURLBase64(k.N)
	e, errE := decodeURLBase64(k.E)
	if errN != nil || errE != nil || len(n) == 0 || len(e) == 0 {
		return verifyKey{}, badKey("JWK members n and e must be non-empty base64url")
	}
	if len(e) > 4 {
		return verifyKey{}, badKey("JWK member e is too large")
	}
	var exp int
	for _, b := range e {
		exp = exp<<8 | int(b)
	}
	if exp < 3 || exp%2 == 0 {
		return verifyKey{}, badKey("JWK member e must be an odd number of at least 3")
	}
	return fromPublicKey(&rsa.PublicKey{N: new(big.Int).SetBytes(n), E: exp})
}

// decodeURLBase64 decodes a JWK member: base64url, padding optional. An
// absent member decodes to no bytes; callers check the length they need.
func decodeURLBase64(s string) ([]byte, error) {
	return base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
}
