package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// encoding/json takes the last of duplicate keys, matches keys without
// regard to case and turns invalid UTF-8 into U+FFFD, so a message could
// mean one thing to us and another to whatever checked it upstream.
// checkKeys walks a message once before it is decoded and refuses all
// three, naming the field. Type errors are left to the decoder.
//
// Why not github.com/go-json-experiment/json (encoding/json/v2), whose
// defaults refuse all of this: it keeps every refusal and is faster, but it
// adds 640 KiB to the publish bootstrap (linux/arm64), past the 8 MiB make
// bench allows (7.75 MiB without it). Its jsontext package alone (128 KiB)
// would still leave the unknown and case-variant keys to this code.

// shape is what an object of the publish input may hold: each field by its
// exact name, with the shape of its value (nil for a value that is not an
// object). A shape with anyNames takes any field names (HTTP headers), each
// once regardless of case.
type shape struct {
	names    []string
	values   []*shape
	anyNames bool
}

var (
	headersShape  = &shape{anyNames: true}
	responseShape = &shape{names: []string{"code", "reason", "headers", "body", "body-bin", "action"},
		values: []*shape{nil, nil, headersShape, nil, nil, nil}}
	streamShape    = &shape{names: []string{"content", "content-bin", "action"}, values: make([]*shape, 3)}
	wsMessageShape = &shape{names: []string{"type", "content", "content-bin", "action", "code", "reason"}, values: make([]*shape, 6)}
	formatsShape   = &shape{names: []string{"http-response", "http-stream", "ws-message"},
		values: []*shape{responseShape, streamShape, wsMessageShape}}
	// messageShape lists the json names of Message.
	messageShape = &shape{names: []string{"channel", "text", "idempotency-key", "formats", "id", "prev-id"},
		values: []*shape{nil, nil, nil, formatsShape, nil, nil}}
	// envelopeShape is a direct invoke's {"messages": [...]}; each message is
	// checked on its own.
	envelopeShape = &shape{names: []string{"messages"}, values: []*shape{nil}}
)

// maxSkipDepth bounds the nesting of a value checkKeys skips: no valid
// message nests deeper than its shapes, and the decoder refuses the rest.
const maxSkipDepth = 64

// keyWalker reads a message token by token.
type keyWalker struct {
	body []byte
	dec  *json.Decoder
}

// checkKeys refuses duplicate keys, keys that are not exactly a known field,
// and invalid UTF-8, anywhere in body. Malformed JSON is left to the decoder
// (nil is returned), which reports it with its position.
func checkKeys(body []byte) error { return checkShape(body, messageShape) }

// checkShape is checkKeys for a value of shape s.
func checkShape(body []byte, s *shape) error {
	w := keyWalker{body: body, dec: json.NewDecoder(bytes.NewReader(body))}
	err := w.value(s, "")
	var inputErr *InputError
	if errors.As(err, &inputErr) {
		return inputErr
	}
	return nil
}

// next reads one token and checks that its bytes are valid UTF-8 (outside
// strings, invalid bytes are a syntax error that Token reports).
func (w *keyWalker) next(field string) (json.Token, error) {
	start := w.dec.InputOffset()
	tok, err := w.dec.Token()
	if err != nil {
		return nil, err
	}
	if _, isString := tok.(string); isString && !utf8.Valid(w.body[start:w.dec.InputOffset()]) {
		return nil, &InputError{Field: field, Reason: "invalid UTF-8 (send bytes with formats and the -bin fields, base64)"}
	}
	return tok, nil
}

// value checks the value that starts at the next token, whose shape is s.
func (w *keyWalker) value(s *shape, field string) error {
	tok, err := w.next(field)
	if err != nil {
		return err
	}
	delim, ok := tok.(json.Delim)
	switch {
	case !ok:
		return nil // a string, number, bool or null
	case s == nil || delim != '{':
		// Not the object the shape says: the decoder reports the type.
		return w.skip(field, 1)
	}
	var seen uint64 // bit i: s.names[i] was given
	var seenHeaders map[string]bool
	for w.dec.More() {
		tok, err := w.next(field)
		if err != nil {
			return err
		}
		key, _ := tok.(string) // object keys are strings
		child := join(field, key)
		var childShape *shape
		if s.anyNames {
			lower := strings.ToLower(key)
			if seenHeaders[lower] {
				return &InputError{Field: child, Reason: "given twice (header names ignore case)"}
			}
			if seenHeaders == nil {
				seenHeaders = map[string]bool{}
			}
			seenHeaders[lower] = true
		} else {
			i := s.index(key)
			if i < 0 {
				return &InputError{Field: child, Reason: s.unknown(key)}
			}
			if seen&(1<<i) != 0 {
				return &InputError{Field: child, Reason: "given twice"}
			}
			seen |= 1 << i
			childShape = s.values[i]
		}
		if err := w.value(childShape, child); err != nil {
			return err
		}
	}
	_, err = w.dec.Token() // the closing '}'
	return err
}

// skip reads the rest of a value that opened depth levels, without
// recursion, still checking its strings' UTF-8.
func (w *keyWalker) skip(field string, depth int) error {
	for depth > 0 {
		if depth > maxSkipDepth {
			return io.EOF // let the decoder report it
		}
		tok, err := w.next(field)
		if err != nil {
			return err
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			depth++
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
	}
	return nil
}

func (s *shape) index(key string) int {
	for i, name := range s.names {
		if name == key {
			return i
		}
	}
	return -1
}

// unknown says why key is refused, with the field it was probably meant to be.
func (s *shape) unknown(key string) string {
	for _, name := range s.names {
		if strings.EqualFold(name, key) {
			return fmt.Sprintf("unknown field (keys are case-sensitive: did you mean %q?)", name)
		}
	}
	return "unknown field"
}

// join names a nested field the way errors show it: formats.ws-message.content.
// A key is cut to a readable length: it comes from the input.
func join(field, key string) string {
	const max = 64
	if len(key) > max {
		cut := max
		for cut > 0 && !utf8.RuneStart(key[cut]) {
			cut--
		}
		key = key[:cut] + "..."
	}
	if field == "" {
		return key
	}
	return field + "." + key
}
