package grip

import (
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/url"
	"strings"
)

// The query parameters parseURL takes out of a GRIP_URL. All others stay on
// the control URI.
const (
	paramIssuer       = "iss"
	paramKey          = "key"
	paramVerifyIssuer = "verify-iss"
	paramVerifyKey    = "verify-key"
)

// base64Prefix marks a key given as base64 bytes rather than as text.
const base64Prefix = "base64:"

// parseURL reads one URL of a GRIP_URL. The three usual forms are:
//
//	http://localhost:5561                                    Pushpin, no auth
//	https://api.fanout.io/realm/<realm>?iss=<realm>&key=base64:<key>   legacy Fanout Cloud
//	https://api.fastly.com/service/<SID>?key=<api-token>     Fastly Fanout
//
// A Fastly URL must have exactly the path /service/<SID>: Fastly signs
// every service's Grip-Sig with one key, so the service id is what the
// verifier checks (issuer "fastly:<SID>").
//
// The query parameters iss, key, verify-iss and verify-key are taken out;
// all others stay on ControlURI, as does the path minus one trailing "/".
// user:password@ in the URL selects HTTP Basic auth and is removed too.
//
// key=base64:... is decoded (a '+' in it is kept, unlike in form decoding);
// any other key is used as raw bytes. verify-key may be PEM, JWK JSON,
// "base64:..." or a plain secret. Which key checks Grip-Sig when no
// verify-key is given (Fastly's published key, a legacy realm key) is the
// Grip-Sig policy's choice: see package sig.
//
// A refused URL gives a *urlError that never contains the key, the
// password or the query string.
func parseURL(raw string) (Endpoint, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return Endpoint{}, &urlError{problem: "it is empty: set it to http://localhost:5561 for a local Pushpin, or to the proxy's control URL"}
	}
	u, err := url.Parse(raw)
	if err != nil {
		// url.Error repeats the whole URL, key and all: never wrap it.
		return Endpoint{}, &urlError{problem: "it is not a valid URL: percent-encode spaces, '%' and '#' in the key or password (%20, %25, %23), and check the host:port"}
	}
	shown := displayURL(u)
	bad := func(format string, args ...any) (Endpoint, error) {
		return Endpoint{}, &urlError{url: shown, problem: fmt.Sprintf(format, args...)}
	}
	switch {
	case u.Scheme == "" || !strings.Contains(raw, "://"):
		return bad("no scheme: it must start with http:// or https://")
	case u.Scheme != "http" && u.Scheme != "https":
		return bad("the scheme must be http or https")
	case u.Opaque != "" || u.Hostname() == "":
		return bad("no host: write it as %s://host[:port][/path]", u.Scheme)
	case u.Fragment != "" || strings.Contains(raw, "#"):
		return bad("it has a '#' fragment, which is never sent: percent-encode a '#' in the key or password as %%23")
	}

	if isFastlyHost(u) && !namesFastlyService(u) {
		return bad("a Fastly GRIP URL must name its service: write https://api.fastly.com/service/<SERVICE_ID> " +
			"(and the parameter key=<API_TOKEN> where it publishes). Fastly signs every service's Grip-Sig with one key; " +
			"only the issuer fastly:<SERVICE_ID> tells your service's requests apart")
	}

	params, kept, err := splitQuery(u.RawQuery)
	if err != nil {
		return bad("%v", err)
	}
	ep := Endpoint{
		ControlURI:   controlURI(u, kept),
		Issuer:       params[paramIssuer],
		VerifyIssuer: params[paramVerifyIssuer],
	}
	if u.User != nil {
		ep.Username = u.User.Username()
		ep.Password, _ = u.User.Password()
	}
	if key, ok := params[paramKey]; ok {
		if ep.Key, err = decodeKey(key); err != nil {
			return bad("%v", err)
		}
	}
	if vk, ok := params[paramVerifyKey]; ok {
		if ep.VerifyKey, err = normalizeVerifyKey(vk); err != nil {
			return bad("%v", err)
		}
	}
	switch {
	case ep.Issuer != "" && len(ep.Key) == 0:
		return bad("iss is set but key is missing: a publish token needs both")
	case len(ep.Key) > 0 && (ep.Username != "" || ep.Password != ""):
		return bad("both user:password and key are set: use one, a request carries one Authorization header")
	case ep.Issuer == "" && !validBearer(ep.Key):
		return bad("%v", errBadBearer)
	}
	return ep, nil
}

// isFastlyHost reports whether u is Fastly's API.
func isFastlyHost(u *url.URL) bool { return strings.EqualFold(u.Hostname(), "api.fastly.com") }

// namesFastlyService reports whether u's path is /service/<SID> (one
// trailing "/" allowed), the only form whose service id package sig can
// turn into the issuer fastly:<SID>.
func namesFastlyService(u *url.URL) bool {
	sid, ok := strings.CutPrefix(strings.TrimSuffix(u.Path, "/"), "/service/")
	return ok && sid != "" && !strings.Contains(sid, "/")
}

// displayURL is what errors may show of a URL: scheme, host and path only.
func displayURL(u *url.URL) string {
	if u.Scheme == "" || u.Host == "" {
		return ""
	}
	return u.Scheme + "://" + u.Host + u.EscapedPath()
}

// controlURI rebuilds the URL without credentials, one trailing "/" of the
// path dropped, and the kept query parameters exactly as they were written.
func controlURI(u *url.URL, keptQuery []string) string {
	s := u.Scheme + "://" + u.Host + strings.TrimSuffix(u.EscapedPath(), "/")
	if len(keptQuery) > 0 {
		s += "?" + strings.Join(keptQuery, "&")
	}
	return s
}

// splitQuery takes the GRIP parameters out of a raw query string. It reads
// the query itself because url.ParseQuery turns '+' into a space, which
// corrupts base64 keys. Values are percent-decoded with '+' kept; the other
// parameters are returned as written, in order.
func splitQuery(rawQuery string) (grip map[string]string, kept []string, err error) {
	grip = make(map[string]string, 4)
	for _, part := range strings.Split(rawQuery, "&") {
		if part == "" {
			continue
		}
		rawName, rawValue, _ := strings.Cut(part, "=")
		name, nameErr := url.QueryUnescape(rawName)
		name = strings.ToLower(name)
		if nameErr != nil || !isGripParam(name) {
			// A raw space would end the request line: send it encoded.
			kept = append(kept, strings.ReplaceAll(part, " ", "%20"))
			continue
		}
		if _, dup := grip[name]; dup {
			return nil, nil, fmt.Errorf("%s is given twice: keep one", name)
		}
		value, err := url.PathUnescape(rawValue)
		if err != nil {
			return nil, nil, fmt.Errorf("the value of %s has a bad %%-escape: a '%%' must be followed by two hex digits (write a literal '%%' as %%25)", name)
		}
		if value == "" {
			return nil, nil, fmt.Errorf("%s is empty: give it a value or remove it", name)
		}
		grip[name] = value
	}
	return grip, kept, nil
}

func isGripParam(name string) bool {
	switch name {
	case paramIssuer, paramKey, paramVerifyIssuer, paramVerifyKey:
		return true
	}
	return false
}

// decodeKey turns the key parameter into bytes: "base64:" + base64, or raw text.
func decodeKey(value string) ([]byte, error) {
	encoded, isBase64 := strings.CutPrefix(value, base64Prefix)
	if !isBase64 {
		return []byte(value), nil
	}
	key, ok := decodeBase64(encoded)
	if !ok {
		return nil, fmt.Errorf("key=base64:... is not valid base64: check it was copied whole")
	}
	if len(key) == 0 {
		return nil, fmt.Errorf("key=base64: is empty: give the key or remove the parameter")
	}
	return key, nil
}

// decodeBase64 accepts standard or URL-safe base64, padded or not. A space
// is read as '+': it is what form decoding makes of one, never base64.
func decodeBase64(s string) ([]byte, bool) {
	s = strings.TrimSpace(strings.ReplaceAll(s, " ", "+"))
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return b, true
		}
	}
	return nil, false
}

// normalizeVerifyKey checks a verify-key is readable and puts PEM and JWK
// text into a form a parser accepts, undoing what URL-encoding does to them.
func normalizeVerifyKey(value string) (string, error) {
	trimmed := strings.TrimSpace(value)
	switch {
	case strings.HasPrefix(trimmed, base64Prefix):
		_, encoded, _ := strings.Cut(value, base64Prefix)
		encoded = strings.TrimSpace(strings.ReplaceAll(encoded, " ", "+"))
		if _, ok := decodeBase64(encoded); !ok {
			return "", fmt.Errorf("verify-key=base64:... is not valid base64: check it was copied whole")
		}
		return base64Prefix + encoded, nil
	case strings.HasPrefix(trimmed, "-----BEGIN"):
		return normalizePEM(trimmed)
	case strings.HasPrefix(trimmed, "{"):
		return normalizeJWK(trimmed)
	}
	// A plain shared secret: used exactly as given.
	return value, nil
}

// normalizePEM rebuilds the first PEM block of s. In a URL the armor's
// spaces often arrive as '+' and the line breaks as spaces or a literal
// "\n"; the base64 body itself is never altered.
func normalizePEM(s string) (string, error) {
	const problem = "verify-key looks like PEM but is not readable: percent-encode it whole (line breaks as %0A)"
	s = strings.NewReplacer(`\n`, "\n", `\r`, "").Replace(s)
	rest, ok := strings.CutPrefix(s, "-----BEGIN")
	if !ok {
		return "", fmt.Errorf("%s", problem)
	}
	label, rest, ok := strings.Cut(rest, "-----")
	if !ok {
		return "", fmt.Errorf("%s", problem)
	}
	body, _, ok := strings.Cut(rest, "-----END")
	if !ok {
		return "", fmt.Errorf("%s", problem)
	}
	label = strings.TrimSpace(strings.ReplaceAll(label, "+", " "))
	body = strings.Join(strings.Fields(body), "")
	der, err := base64.StdEncoding.DecodeString(body)
	if err != nil || label == "" {
		return "", fmt.Errorf("%s", problem)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: label, Bytes: der})), nil
}

// normalizeJWK checks s is a JSON object with a "kty". A form encoder may
// have turned JSON whitespace into '+': that is undone if needed.
func normalizeJWK(s string) (string, error) {
	for _, candidate := range []string{s, strings.ReplaceAll(s, "+", " ")} {
		var jwk struct {
			Kty string `json:"kty"`
		}
		if json.Unmarshal([]byte(candidate), &jwk) == nil && jwk.Kty != "" {
			return candidate, nil
		}
	}
	return "", fmt.Errorf("verify-key looks like a JWK but is not a JSON object with a \"kty\": percent-encode it whole")
}
