package apigw

import (
	"fmt"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// jsonReader reads one JSON document in a single pass, for readEvent.
//
// It is as strict as encoding/json about syntax (RFC 8259, nesting at most
// 10000 deep, nothing but spaces after the value) and decodes strings the
// same way (invalid UTF-8 and lone surrogates become U+FFFD). A string that
// needs no unescaping is a substring of the document: no copy.
//
// After the first error every read returns a zero value and loops end, so
// callers check err once at the end.
type jsonReader struct {
	s     string
	i     int
	depth int
	err   error
}

// maxJSONDepth is encoding/json's nesting limit.
const maxJSONDepth = 10000

func (r *jsonReader) fail(what string) {
	if r.err == nil {
		r.err = fmt.Errorf("invalid JSON: %s at offset %d", what, r.i)
		r.i = len(r.s) // stop every loop
	}
}

// peek skips white space and returns the next byte, or 0 at the end.
func (r *jsonReader) peek() byte {
	for r.i < len(r.s) {
		switch c := r.s[r.i]; c {
		case ' ', '\t', '\n', '\r':
			r.i++
		default:
			return c
		}
	}
	return 0
}

func (r *jsonReader) expect(c byte) {
	if r.peek() != c {
		r.fail(fmt.Sprintf("want %q", c))
		return
	}
	r.i++
}

// end checks that nothing but white space follows the document.
func (r *jsonReader) end() {
	if r.peek() != 0 {
		r.fail("data after the top-level value")
	}
}

func (r *jsonReader) enter() bool {
	r.depth++
	if r.depth > maxJSONDepth {
		r.fail("nesting too deep")
		return false
	}
	r.i++ // the '{' or '['
	return true
}

// more steps through an object's members or an array's elements: call it
// after enter and after each member; it consumes the separating comma, or
// the closing bracket and then reports false.
func (r *jsonReader) more(closing byte, first *bool) bool {
	switch c := r.peek(); {
	case r.err != nil:
		return false
	case c == closing:
		r.i++
		r.depth--
		return false
	case *first:
		*first = false
		return true
	case c == ',':
		r.i++
		if r.peek() == closing {
			r.fail("trailing comma")
			return false
		}
		return true
	}
	r.fail("want ',' or '" + string(closing) + "'")
	return false
}

// key reads an object member's name and its colon.
func (r *jsonReader) key() string {
	if r.peek() != '"' {
		r.fail("want a member name")
		return ""
	}
	k := r.str()
	r.expect(':')
	return k
}

// null consumes a null if one is next.
func (r *jsonReader) null() bool {
	if r.peek() == 'n' {
		r.literal("null")
		return true
	}
	return false
}

func (r *jsonReader) literal(word string) {
	if len(r.s)-r.i < len(word) || r.s[r.i:r.i+len(word)] != word {
		r.fail("bad literal")
		return
	}
	r.i += len(word)
}

// skip reads a value of any type, checking its syntax.
func (r *jsonReader) skip() {
	switch c := r.peek(); c {
	case '{':
		if !r.enter() {
			return
		}
		for first := true; r.more('}', &first); {
			r.key()
			r.skip()
		}
	case '[':
		if !r.enter() {
			return
		}
		for first := true; r.more(']', &first); {
			r.skip()
		}
	case '"':
		r.str()
	case 't':
		r.literal("true")
	case 'f':
		r.literal("false")
	case 'n':
		r.literal("null")
	default:
		r.number()
	}
}

// number reads -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (r *jsonReader) number() {
	s, i := r.s, r.i
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && '1' <= s[i] && s[i] <= '9':
		i = digits(s, i)
	default:
		r.fail("want a value")
		return
	}
	if i < len(s) && s[i] == '.' {
		if i++; i == len(s) || !isDigit(s[i]) {
			r.fail("bad number")
			return
		}
		i = digits(s, i)
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if i == len(s) || !isDigit(s[i]) {
			r.fail("bad number")
			return
		}
		i = digits(s, i)
	}
	r.i = i
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func digits(s string, i int) int {
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	return i
}

// plainByte marks the bytes a string may hold as they are: printable
// ASCII but the quote and the backslash.
var plainByte = func() (t [256]bool) {
	for c := ' '; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// str reads a string; r.s[r.i] is its opening quote.
func (r *jsonReader) str() string {
	s, start := r.s, r.i+1
	for i := start; i < len(s); {
		for i < len(s) && plainByte[s[i]] {
			i++
		}
		if i == len(s) {
			break
		}
		switch c := s[i]; {
		case c == '"':
			r.i = i + 1
			return s[start:i]
		case c < utf8.RuneSelf: // a backslash or a control character
			return r.unescape(start, i)
		default:
			rr, size := utf8.DecodeRuneInString(s[i:])
			if rr == utf8.RuneError && size == 1 {
				return r.unescape(start, i)
			}
			i += size
		}
	}
	r.i = len(r.s)
	r.fail("unterminated string")
	return ""
}

// unescape is str's slow path, from i on: escapes, and invalid UTF-8
// replaced as encoding/json does.
func (r *jsonReader) unescape(start, i int) string {
	s := r.s
	b := make([]byte, i-start, i-start+64) // append grows it: the string's end is not known yet
	copy(b, s[start:i])
	for i < len(s) {
		c := s[i]
		switch {
		case c == '"':
			r.i = i + 1
			return string(b)
		case c < ' ':
			r.i = i
			r.fail("control character in string")
			return ""
		case c == '\\':
			if i+1 == len(s) {
				r.i = i
				r.fail("unterminated string")
				return ""
			}
			switch e := s[i+1]; e {
			case '"', '\\', '/':
				b = append(b, e)
			case 'b':
				b = append(b, '\b')
			case 'f':
				b = append(b, '\f')
			case 'n':
				b = append(b, '\n')
			case 'r':
				b = append(b, '\r')
			case 't':
				b = append(b, '\t')
			case 'u':
				rr := hex4(s, i+2)
				if rr < 0 {
					r.i = i
					r.fail("bad \\u escape")
					return ""
				}
				i += 6
				if utf16.IsSurrogate(rr) {
					if rr2 := hex4(s, i+2); i+1 < len(s) && s[i] == '\\' && s[i+1] == 'u' && rr2 >= 0 {
						if dec := utf16.DecodeRune(rr, rr2); dec != unicode.ReplacementChar {
							b = utf8.AppendRune(b, dec)
							i += 6
							continue
						}
					}
					rr = unicode.ReplacementChar
				}
				b = utf8.AppendRune(b, rr)
				continue
			default:
				r.i = i
				r.fail("bad escape")
				return ""
			}
			i += 2
		case c < utf8.RuneSelf:
			b = append(b, c)
			i++
		default:
			rr, size := utf8.DecodeRuneInString(s[i:])
			if rr == utf8.RuneError && size == 1 {
				b = utf8.AppendRune(b, unicode.ReplacementChar)
			} else {
				b = append(b, s[i:i+size]...)
			}
			i += size
		}
	}
	r.i = len(s)
	r.fail("unterminated string")
	return ""
}

// hex4 decodes the 4 hex digits at s[i:], or returns -1.
func hex4(s string, i int) rune {
	if i+4 > len(s) {
		return -1
	}
	var v rune
	for _, c := range []byte(s[i : i+4]) {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return -1
		}
		v = v<<4 | rune(c)
	}
	return v
}
