package grip

import (
	"encoding/json"
	"log/slog"
	"strings"
)

// Endpoint is one GRIP proxy: where to publish, how to authenticate, and
// how to check the Grip-Sig of requests the proxy forwards. ParseConfig
// builds one per URL in a GRIP_URL.
//
// The credentials are exported so tests and handlers can build an Endpoint
// by hand, but String, GoString, MarshalJSON and LogValue all redact them,
// so an Endpoint (or a Config) is safe to print and to log.
type Endpoint struct {
	// ControlURI is the base of the proxy's control API, without
	// credentials and without a trailing "/"; publishes go to
	// ControlURI's path + "/publish/", with its query kept.
	ControlURI string

	// Issuer and Key sign publish requests: with both, an HS256 JWT
	// {iss, exp}; with Key alone, Key is sent as a Bearer token (a Fastly
	// API token).
	Issuer string
	Key    []byte

	// Username and Password send HTTP Basic auth instead.
	Username, Password string

	// VerifyIssuer and VerifyKey say how to check Grip-Sig (see package
	// sig). VerifyKey is kept as configured: PEM, JWK JSON, "base64:"
	// followed by the key bytes, or a plain secret.
	VerifyIssuer string
	VerifyKey    string
}

// authKind names the publish authentication an Endpoint uses.
func (e Endpoint) authKind() string {
	switch {
	case len(e.Key) > 0 && e.Issuer != "":
		return "jwt"
	case len(e.Key) > 0:
		return "bearer"
	case e.Username != "" || e.Password != "":
		return "basic"
	}
	return "none"
}

// String describes the endpoint with every secret replaced by "redacted".
func (e Endpoint) String() string {
	var b strings.Builder
	b.WriteString(e.ControlURI)
	b.WriteString(" (auth=")
	b.WriteString(e.authKind())
	if e.Issuer != "" {
		b.WriteString(" iss=" + e.Issuer)
	}
	if len(e.Key) > 0 {
		b.WriteString(" key=redacted")
	}
	if e.Username != "" {
		b.WriteString(" user=" + e.Username)
	}
	if e.Password != "" {
		b.WriteString(" password=redacted")
	}
	if e.VerifyIssuer != "" {
		b.WriteString(" verify-iss=" + e.VerifyIssuer)
	}
	if e.VerifyKey != "" {
		// A verify key may be a shared secret: say only that it is set.
		b.WriteString(" verify-key=set")
	}
	b.WriteString(")")
	return b.String()
}

// GoString keeps %#v from printing the key.
func (e Endpoint) GoString() string { return "grip.Endpoint(" + e.String() + ")" }

// MarshalJSON writes the redacted description, so a Config logged as JSON
// (for example by slog's JSONHandler inside a struct) leaks nothing.
func (e Endpoint) MarshalJSON() ([]byte, error) { return json.Marshal(e.String()) }

// LogValue makes slog print the redacted description.
func (e Endpoint) LogValue() slog.Value { return slog.StringValue(e.String()) }
