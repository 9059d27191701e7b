package grip

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/faas-grip/faas-grip-go/internal/grip/internal/token"
)

// HoldMode is how the proxy holds the client's request.
type HoldMode string

const (
	// HoldResponse is long-polling: the request waits for one published
	// http-response item, or for the timeout (then the origin's own
	// response is sent).
	HoldResponse HoldMode = "response"
	// HoldStream is streaming: the origin's response is sent at once and
	// the connection stays open for published http-stream items.
	HoldStream HoldMode = "stream"
)

// KeepAlive's formats and modes, as the Grip-Keep-Alive header spells them.
const (
	keepAliveRaw     = "raw"     // the data as is: printable ASCII only
	keepAliveCString = "cstring" // C escapes: \n, \r, \\ and \xHH
	keepAliveBase64  = "base64"

	keepAliveIdle     = "idle"     // send after Timeout without other data (default)
	keepAliveInterval = "interval" // send every Timeout, whatever else is sent
)

// Link relations for Link.Rel.
const (
	LinkNext = "next" // the proxy requests this URI for a stream's missed items (see the package doc)
	LinkGone = "gone" // the proxy requests this URI when the client leaves
)

// Hold is the set of GRIP instructions that make a proxy hold a request.
// Apply writes it as Grip-* response headers; the proxy strips them.
type Hold struct {
	Mode      HoldMode      // "" means HoldResponse
	Channels  []Channel     // at least one
	Timeout   time.Duration // long-poll wait (Grip-Timeout, whole seconds); 0: proxy default (55s)
	KeepAlive *KeepAlive    // stream keep-alive data
	Status    int           // status the proxy gives the client (Grip-Status); 0: the response's own
	Reason    string        // reason phrase with Status
	SetMeta   map[string]string
	Links     []Link
}

// Channel is one channel a held request subscribes to, without GRIP_PREFIX.
type Channel struct {
	Name    string
	PrevID  string   // ID of the last item the client has; a newer one is sent at once
	Filters []string // proxy filters to apply, e.g. "skip-self"
}

// KeepAlive is data the proxy sends on an otherwise quiet stream.
type KeepAlive struct {
	Data    []byte
	Format  string        // "raw", "cstring" or "base64"; "" picks the most readable that carries Data exactly
	Timeout time.Duration // whole seconds; 0: proxy default (55s)
	Mode    string        // "idle" (after Timeout without other data; the default) or "interval" (every Timeout)
}

// Link is a URI the proxy requests later on the client's behalf.
type Link struct {
	URI     string
	Rel     string        // LinkNext or LinkGone; "" means next
	Timeout time.Duration // for next: follow it after this long without items (whole seconds); 0: the proxy's default (Pushpin: 120 s)
}

// The headers Apply writes.
var holdHeaders = []string{"Grip-Hold", "Grip-Channel", "Grip-Timeout", "Grip-Keep-Alive", "Grip-Link", "Grip-Status", "Grip-Set-Meta"}

// Apply writes the hold as Grip-* headers into header, replacing any the
// header had, with cfg's prefix added to every channel name.
// Invalid instructions give an error saying what to change (wrapping
// ErrInvalidChannel for a bad channel name), and header is left unchanged.
func (h Hold) Apply(header http.Header, cfg Config) error {
	values, err := h.headerValues(cfg.Prefix)
	if err != nil {
		return fmt.Errorf("%w: %w", errInvalidHold, err)
	}
	for _, name := range holdHeaders {
		header.Del(name)
	}
	for _, name := range holdHeaders {
		if v := values[name]; len(v) > 0 {
			header[name] = v
		}
	}
	return nil
}

// headerValues builds every header value before any is written.
func (h Hold) headerValues(prefix string) (map[string][]string, error) {
	values := make(map[string][]string, len(holdHeaders))
	switch h.Mode {
	case "", HoldResponse:
		values["Grip-Hold"] = []string{string(HoldResponse)}
	case HoldStream:
		values["Grip-Hold"] = []string{string(HoldStream)}
	default:
		return nil, fmt.Errorf("mode %s: use HoldResponse or HoldStream", quoteShort(string(h.Mode)))
	}
	if len(h.Channels) == 0 {
		return nil, fmt.Errorf("no channel: a hold needs at least one")
	}
	for _, c := range h.Channels {
		v, err := c.headerValue(prefix)
		if err != nil {
			return nil, err
		}
		values["Grip-Channel"] = append(values["Grip-Channel"], v)
	}
	if h.Timeout != 0 {
		secs, err := wholeSeconds("Timeout", h.Timeout)
		if err != nil {
			return nil, err
		}
		values["Grip-Timeout"] = []string{secs}
	}
	if h.KeepAlive != nil {
		v, err := h.KeepAlive.headerValue()
		if err != nil {
			return nil, err
		}
		values["Grip-Keep-Alive"] = []string{v}
	}
	for _, link := range h.Links {
		v, err := link.headerValue()
		if err != nil {
			return nil, err
		}
		values["Grip-Link"] = append(values["Grip-Link"], v)
	}
	if h.Status == 0 && h.Reason != "" {
		return nil, fmt.Errorf("a status reason is set without a Status code")
	}
	if h.Status != 0 {
		v, err := statusValue(h.Status, h.Reason)
		if err != nil {
			return nil, err
		}
		values["Grip-Status"] = []string{v}
	}
	if len(h.SetMeta) > 0 {
		v, err := setMetaValue(h.SetMeta)
		if err != nil {
			return nil, err
		}
		values["Grip-Set-Meta"] = []string{v}
	}
	return values, nil
}

// headerValue is "name[; prev-id=X][; filter=F]...".
func (c Channel) headerValue(prefix string) (string, error) {
	if err := checkChannel(prefix, c.Name); err != nil {
		return "", err
	}
	var b strings.Builder
	b.WriteString(prefix)
	b.WriteString(c.Name)
	if c.PrevID != "" {
		if err := checkHeaderValue(c.PrevID); err != nil {
			return "", fmt.Errorf("channel %s prev-id: %w", quoteShort(c.Name), err)
		}
		b.WriteString("; prev-id=")
		b.WriteString(paramValue(c.PrevID))
	}
	for _, f := range c.Filters {
		if !token.Valid(f) {
			return "", fmt.Errorf("channel %s: filter %s is not a filter name", quoteShort(c.Name), quoteShort(f))
		}
		b.WriteString("; filter=")
		b.WriteString(f)
	}
	return b.String(), nil
}

// headerValue is "data; format=F[; timeout=N][; mode=M]".
func (k *KeepAlive) headerValue() (string, error) {
	if len(k.Data) == 0 {
		return "", fmt.Errorf("keep-alive Data is empty: the proxy needs something to send")
	}
	format := k.Format
	if format == "" {
		format = keepAliveFormatFor(k.Data)
	}
	var data string
	switch format {
	case keepAliveRaw:
		if !rawKeepAliveSafe(k.Data) {
			return "", fmt.Errorf("keep-alive Data cannot be sent raw (it has control characters, ';', ',', '\"' or edge spaces): leave Format empty to pick one")
		}
		data = string(k.Data)
	case keepAliveCString:
		data = cstringEscape(k.Data)
	case keepAliveBase64:
		data = base64.StdEncoding.EncodeToString(k.Data)
	default:
		return "", fmt.Errorf("keep-alive Format %s: use raw, cstring, base64 or leave it empty", quoteShort(format))
	}
	value := data + "; format=" + format
	if k.Timeout != 0 {
		secs, err := wholeSeconds("keep-alive Timeout", k.Timeout)
		if err != nil {
			return "", err
		}
		value += "; timeout=" + secs
	}
	switch k.Mode {
	case "":
	case keepAliveIdle, keepAliveInterval:
		value += "; mode=" + k.Mode
	default:
		return "", fmt.Errorf("keep-alive Mode %s: use idle or interval", quoteShort(k.Mode))
	}
	return value, nil
}

// keepAliveFormatFor picks the most readable format that carries data
// exactly: raw, else cstring for text, else base64.
func keepAliveFormatFor(data []byte) string {
	if rawKeepAliveSafe(data) {
		return keepAliveRaw
	}
	for _, c := range data {
		if (c < ' ' || c > '~') && c != '\n' && c != '\r' && c != '\t' {
			return keepAliveBase64
		}
	}
	return keepAliveCString
}

// rawKeepAliveSafe: printable ASCII that a proxy reads back unchanged. The
// proxy ends the data at ';' and trims spaces around it; ',' and '"' are
// kept out because header parsers split or quote on them.
func rawKeepAliveSafe(data []byte) bool {
	if len(data) == 0 || data[0] == ' ' || data[len(data)-1] == ' ' {
		return false
	}
	for _, c := range data {
		if c < ' ' || c > '~' || c == ';' || c == ',' || c == '"' {
			return false
		}
	}
	return true
}

// cstringEscape writes data with the escapes Pushpin's cstring format
// reads: \\, \n, \r and \xHH (it knows no others, not even \t).
func cstringEscape(data []byte) string {
	var b strings.Builder
	for i, c := range data {
		switch {
		case c == '\\':
			b.WriteString(`\\`)
		case c == '\n':
			b.WriteString(`\n`)
		case c == '\r':
			b.WriteString(`\r`)
		case c == ' ' && (i == 0 || i == len(data)-1),
			c < ' ' || c > '~' || c == ';' || c == ',' || c == '"':
			b.WriteString(`\x`)
			b.WriteByte(hexDigits[c>>4])
			b.WriteByte(hexDigits[c&0xf])
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// headerValue is "<uri>; rel=R[; timeout=N]".
func (l Link) headerValue() (string, error) {
	if l.URI == "" {
		return "", fmt.Errorf("link URI is empty")
	}
	if i := strings.IndexFunc(l.URI, func(r rune) bool {
		return r <= ' ' || r == 0x7f || strings.ContainsRune(`<>",;`, r)
	}); i >= 0 {
		return "", fmt.Errorf("link URI has %q at byte %d: percent-encode it", l.URI[i], i)
	}
	rel := l.Rel
	switch rel {
	case "":
		rel = LinkNext
	case LinkNext, LinkGone:
	default:
		return "", fmt.Errorf("link Rel %s: use next or gone", quoteShort(l.Rel))
	}
	value := "<" + l.URI + ">; rel=" + rel
	if l.Timeout != 0 {
		if rel != LinkNext {
			return "", fmt.Errorf("link Timeout is only for rel=next")
		}
		secs, err := wholeSeconds("link Timeout", l.Timeout)
		if err != nil {
			return "", err
		}
		value += "; timeout=" + secs
	}
	return value, nil
}

// statusValue is "code[ reason]".
func statusValue(code int, reason string) (string, error) {
	if code < 100 || code > 999 {
		return "", fmt.Errorf("status %d is not a status code (100-999)", code)
	}
	if err := checkHeaderValue(reason); err != nil {
		return "", fmt.Errorf("status reason: %w", err)
	}
	if reason == "" {
		return strconv.Itoa(code), nil
	}
	return strconv.Itoa(code) + " " + reason, nil
}

// setMetaValue is `k="v", k2="v2"`, keys sorted.
func setMetaValue(meta map[string]string) (string, error) {
	keys := make([]string, 0, len(meta))
	for k, v := range meta {
		if !token.Valid(k) {
			return "", fmt.Errorf("SetMeta key %s is not a token (letters, digits, -_.)", quoteShort(k))
		}
		if err := checkHeaderValue(v); err != nil {
			return "", fmt.Errorf("SetMeta %s: %w", k, err)
		}
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(k)
		b.WriteString("=")
		b.WriteString(quoteParam(meta[k]))
	}
	return b.String(), nil
}

// wholeSeconds writes d as GRIP headers want it, rounded up to a second so
// a short timeout never becomes 0 ("none").
func wholeSeconds(what string, d time.Duration) (string, error) {
	if d < 0 {
		return "", fmt.Errorf("%s is negative", what)
	}
	secs := d / time.Second
	if d%time.Second != 0 {
		secs++
	}
	return strconv.FormatInt(int64(secs), 10), nil
}

// paramValue writes a header parameter value: bare when it is a token,
// else quoted.
func paramValue(v string) string {
	if token.Valid(v) {
		return v
	}
	return quoteParam(v)
}

// quoteParam writes v as a quoted-string, escaping '"' and '\'.
func quoteParam(v string) string {
	var b strings.Builder
	b.Grow(len(v) + 2)
	b.WriteByte('"')
	for i := 0; i < len(v); i++ {
		if v[i] == '"' || v[i] == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(v[i])
	}
	b.WriteByte('"')
	return b.String()
}
