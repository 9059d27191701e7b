package grip

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/faas-grip/faas-grip-go/internal/grip/internal/jsonstr"
	"github.com/faas-grip/faas-grip-go/internal/grip/internal/token"
)

// The actions a format's Action field may name (its "action" member):
//   - "send" (or ""): deliver the content to the subscribers;
//   - "hint": tell the proxy something was published without sending it:
//     the proxy asks the origin again to get the content;
//   - "close": end the subscribers' streams or WebSocket connections;
//   - "refresh": make the proxy call the origin again for every subscriber
//     (for WebSockets, a request without events).
const (
	actionSend    = "send"
	actionHint    = "hint"
	actionClose   = "close"
	actionRefresh = "refresh"
)

// Formats holds what one item looks like to each kind of subscriber. Set at
// least one; a subscriber receives the format matching its connection.
type Formats struct {
	HTTPResponse *HTTPResponseFormat // long-poll requests (Grip-Hold: response)
	HTTPStream   *HTTPStreamFormat   // streaming responses (Grip-Hold: stream)
	WSMessage    *WSMessageFormat    // WebSocket connections
}

// HTTPResponseFormat is the whole response a held long-poll request gets.
// The JSON always carries a body (Pushpin refuses an item without one):
// "body" when Body is valid UTF-8, else "body-bin" in base64.
type HTTPResponseFormat struct {
	Code   int         // status code; 0 lets the proxy use 200
	Reason string      // status text; "" lets the proxy use the standard one
	Header http.Header // several values of one name are joined with ", "
	Body   []byte
	Action string // "" (send), "hint", "close" or "refresh" (see the actions above)
}

// HTTPStreamFormat is a chunk of a held stream, or its end when Close is set.
type HTTPStreamFormat struct {
	Content []byte // "content" when valid UTF-8, else "content-bin" in base64
	Close   bool   // end the stream (the same as Action: "close")
	Action  string
}

// WebSocket message types for WSMessageFormat.Type.
const (
	WSTypeText   = "text"
	WSTypeBinary = "binary"
	WSTypePing   = "ping"
	WSTypePong   = "pong"
)

// WSMessageFormat is a message to WebSocket subscribers, or a close of their
// connections when Close is set.
type WSMessageFormat struct {
	Type    string // WSTypeText (default), WSTypeBinary, WSTypePing or WSTypePong
	Content []byte // text must be valid UTF-8; binary is sent as base64
	Close   bool   // close the connections (the same as Action: "close")
	Code    int    // close code; 0 means 1000 (normal closure)
	Reason  string // close reason, at most 123 bytes of UTF-8
	Action  string
}

// Limits from RFC 6455.
const (
	wsNormalClosure  = 1000
	wsMaxControlLen  = 125 // payload of a ping, pong or close frame
	wsMaxCloseReason = wsMaxControlLen - 2
)

// resolveAction folds the Close shorthand into Action and checks the
// result, returning "" for send.
func resolveAction(closeFlag bool, action string) (string, error) {
	switch action {
	case "", actionSend:
		action = ""
	case actionHint, actionClose, actionRefresh:
	default:
		return "", fmt.Errorf("unknown action %s: use %q, %q, %q or %q", quoteShort(action), actionSend, actionHint, actionClose, actionRefresh)
	}
	if closeFlag {
		if action != "" && action != actionClose {
			return "", fmt.Errorf("both Close and action %q are set: set one", action)
		}
		action = actionClose
	}
	return action, nil
}

// errContentWithAction is returned for content that an action would drop.
func errContentWithAction(action string) error {
	return fmt.Errorf("content is set with action %q, which sends none: publish the content and the %s as two items", action, action)
}

func (f *HTTPResponseFormat) appendJSON(dst []byte) ([]byte, error) {
	action, err := resolveAction(false, f.Action)
	if err != nil {
		return dst, err
	}
	dst = append(dst, '{')
	if action != "" {
		if len(f.Body) > 0 {
			return dst, errContentWithAction(action)
		}
		dst = appendKey(dst, "action")
		dst = jsonstr.Append(dst, action)
		return append(dst, '}'), nil
	}
	if f.Code != 0 {
		if f.Code < 100 || f.Code > 999 {
			return dst, fmt.Errorf("http-response code %d is not a status code (100-999)", f.Code)
		}
		dst = appendKey(dst, "code")
		dst = strconv.AppendInt(dst, int64(f.Code), 10)
	}
	if f.Reason != "" {
		if err := checkHeaderValue(f.Reason); err != nil {
			return dst, fmt.Errorf("http-response reason: %w", err)
		}
		dst = appendKey(dst, "reason")
		dst = jsonstr.Append(dst, f.Reason)
	}
	if len(f.Header) > 0 {
		if dst, err = appendHeaders(dst, f.Header); err != nil {
			return dst, err
		}
	}
	if utf8.Valid(f.Body) {
		dst = appendKey(dst, "body")
		dst = jsonstr.Append(dst, f.Body)
	} else {
		dst = appendKey(dst, "body-bin")
		dst = appendJSONBase64(dst, f.Body)
	}
	return append(dst, '}'), nil
}

// appendHeaders writes the header as a JSON object, names sorted: Fastly
// takes only an object of strings, so several values are joined with ", ".
func appendHeaders(dst []byte, header http.Header) ([]byte, error) {
	var stack [16]string
	names := stack[:0]
	for name := range header {
		names = append(names, name)
	}
	slices.Sort(names)
	dst = appendKey(dst, "headers")
	dst = append(dst, '{')
	for _, name := range names {
		values := header[name]
		if len(values) == 0 {
			continue
		}
		if !token.Valid(name) {
			return dst, fmt.Errorf("http-response header name %s is not a valid HTTP token", quoteShort(name))
		}
		if len(values) > 1 && http.CanonicalHeaderKey(name) == "Set-Cookie" {
			return dst, errors.New("http-response has several Set-Cookie values, which cannot be joined into one header: publish one cookie")
		}
		for _, v := range values {
			if err := checkHeaderValue(v); err != nil {
				return dst, fmt.Errorf("http-response header %s: %w", name, err)
			}
		}
		if dst[len(dst)-1] != '{' {
			dst = append(dst, ',')
		}
		dst = jsonstr.Append(dst, name)
		dst = append(dst, ':', '"')
		for i, v := range values {
			if i > 0 {
				dst = append(dst, ',', ' ')
			}
			dst = jsonstr.AppendBody(dst, v)
		}
		dst = append(dst, '"')
	}
	return append(dst, '}'), nil
}

func (f *HTTPStreamFormat) appendJSON(dst []byte) ([]byte, error) {
	action, err := resolveAction(f.Close, f.Action)
	if err != nil {
		return dst, err
	}
	dst = append(dst, '{')
	if action != "" {
		if len(f.Content) > 0 {
			return dst, errContentWithAction(action)
		}
		dst = appendKey(dst, "action")
		dst = jsonstr.Append(dst, action)
		return append(dst, '}'), nil
	}
	if utf8.Valid(f.Content) {
		dst = appendKey(dst, "content")
		dst = jsonstr.Append(dst, f.Content)
	} else {
		dst = appendKey(dst, "content-bin")
		dst = appendJSONBase64(dst, f.Content)
	}
	return append(dst, '}'), nil
}

func (f *WSMessageFormat) appendJSON(dst []byte) ([]byte, error) {
	action, err := resolveAction(f.Close, f.Action)
	if err != nil {
		return dst, err
	}
	if action != actionClose && (f.Code != 0 || f.Reason != "") {
		return dst, errors.New("ws-message Code and Reason are only for a close: set Close too, or clear them")
	}
	dst = append(dst, '{')
	switch action {
	case actionClose:
		return f.appendClose(dst)
	case "":
		return f.appendMessage(dst)
	}
	if len(f.Content) > 0 {
		return dst, errContentWithAction(action)
	}
	dst = appendKey(dst, "action")
	dst = jsonstr.Append(dst, action)
	return append(dst, '}'), nil
}

func (f *WSMessageFormat) appendMessage(dst []byte) ([]byte, error) {
	switch f.Type {
	case "", WSTypeText:
		if !utf8.Valid(f.Content) {
			return dst, errors.New("ws-message text is not valid UTF-8, which browsers reject: send it as binary (Type: WSTypeBinary)")
		}
		dst = appendKey(dst, "content")
		dst = jsonstr.Append(dst, f.Content)
	case WSTypeBinary:
		dst = appendKey(dst, "content-bin")
		dst = appendJSONBase64(dst, f.Content)
	case WSTypePing, WSTypePong:
		if len(f.Content) > wsMaxControlLen {
			return dst, fmt.Errorf("ws-message %s content is %d bytes: at most %d are allowed", f.Type, len(f.Content), wsMaxControlLen)
		}
		dst = appendKey(dst, "type")
		dst = jsonstr.Append(dst, f.Type)
		if len(f.Content) > 0 {
			dst = appendKey(dst, "content-bin")
			dst = appendJSONBase64(dst, f.Content)
		}
	default:
		return dst, fmt.Errorf("unknown ws-message type %s: use %q, %q, %q or %q", quoteShort(f.Type), WSTypeText, WSTypeBinary, WSTypePing, WSTypePong)
	}
	return append(dst, '}'), nil
}

func (f *WSMessageFormat) appendClose(dst []byte) ([]byte, error) {
	if len(f.Content) > 0 {
		return dst, errContentWithAction(actionClose)
	}
	code := f.Code
	if code == 0 {
		code = wsNormalClosure
	}
	if err := checkCloseCode(code); err != nil {
		return dst, err
	}
	if len(f.Reason) > wsMaxCloseReason || !utf8.ValidString(f.Reason) {
		return dst, fmt.Errorf("ws-message close reason must be UTF-8 of at most %d bytes", wsMaxCloseReason)
	}
	dst = appendKey(dst, "action")
	dst = jsonstr.Append(dst, actionClose)
	dst = appendKey(dst, "code")
	dst = strconv.AppendInt(dst, int64(code), 10)
	if f.Reason != "" {
		dst = appendKey(dst, "reason")
		dst = jsonstr.Append(dst, f.Reason)
	}
	return append(dst, '}'), nil
}

// checkCloseCode accepts the codes an endpoint may send (RFC 6455 7.4):
// 1000-1003, 1007-1014 and 3000-4999. 1004-1006 and 1015 are reserved for
// reporting and must never be sent.
func checkCloseCode(code int) error {
	switch {
	case code >= 1000 && code <= 1003, code >= 1007 && code <= 1014, code >= 3000 && code <= 4999:
		return nil
	}
	return fmt.Errorf("ws-message close code %d cannot be sent: use 1000 (normal), 1001-1003, 1007-1014 or 3000-4999", code)
}

// appendJSON writes the "formats" object; at least one format is required.
func (fs *Formats) appendJSON(dst []byte) ([]byte, error) {
	if fs.HTTPResponse == nil && fs.HTTPStream == nil && fs.WSMessage == nil {
		return dst, errors.New("no format is set: set HTTPResponse, HTTPStream or WSMessage in Formats")
	}
	var err error
	dst = append(dst, '{')
	if fs.HTTPResponse != nil {
		dst = appendKey(dst, "http-response")
		if dst, err = fs.HTTPResponse.appendJSON(dst); err != nil {
			return dst, err
		}
	}
	if fs.HTTPStream != nil {
		dst = appendKey(dst, "http-stream")
		if dst, err = fs.HTTPStream.appendJSON(dst); err != nil {
			return dst, err
		}
	}
	if fs.WSMessage != nil {
		dst = appendKey(dst, "ws-message")
		if dst, err = fs.WSMessage.appendJSON(dst); err != nil {
			return dst, err
		}
	}
	return append(dst, '}'), nil
}

// size estimates the encoded size of the formats, to size the buffer.
func (fs *Formats) size() int {
	n := 16
	if f := fs.HTTPResponse; f != nil {
		n += 64 + len(f.Reason) + base64Len(len(f.Body))
		for name, values := range f.Header {
			n += len(name) + 6
			for _, v := range values {
				n += len(v) + 2
			}
		}
	}
	if f := fs.HTTPStream; f != nil {
		n += 32 + base64Len(len(f.Content))
	}
	if f := fs.WSMessage; f != nil {
		n += 48 + len(f.Reason) + base64Len(len(f.Content))
	}
	return n
}

// base64Len bounds the encoded length of n bytes, base64 or plain JSON text
// with a few escapes.
func base64Len(n int) int { return (n+2)/3*4 + 2 }

// checkHeaderValue refuses what would split or end an HTTP header.
func checkHeaderValue(v string) error {
	if i := strings.IndexAny(v, "\r\n\x00"); i >= 0 {
		return fmt.Errorf("CR, LF or NUL at byte %d would break the header", i)
	}
	return nil
}
