package grip

import (
	"fmt"
	"unicode"
	"unicode/utf8"
)

// maxChannelLen is the longest channel name, in bytes, prefix included.
const maxChannelLen = 256

// ChannelError says why a channel name is refused. Problem never contains
// the name, so a handler may show it to the client; Error quotes the name,
// escaped and shortened, for logs.
type ChannelError struct {
	Name    string
	Problem string
}

func (e *ChannelError) Error() string {
	if e.Name == "" {
		return fmt.Sprintf("%v: %s", ErrInvalidChannel, e.Problem)
	}
	return fmt.Sprintf("%v %s: %s", ErrInvalidChannel, quoteShort(e.Name), e.Problem)
}

// Unwrap makes errors.Is(err, ErrInvalidChannel) true.
func (e *ChannelError) Unwrap() error { return ErrInvalidChannel }

// ValidChannel is the one check of a channel name, for every function and
// at cold start for configured names. A valid name is 1 to 256 bytes of
// UTF-8 with no control characters (Unicode Cc), no format characters (Cf:
// bidi overrides such as U+202E, zero-width ones such as U+200B and U+FEFF,
// which make a name look like another), no whitespace, and none of , ; "
// (they separate values and parameters in GRIP headers, so a proxy would
// read a different channel).
//
// Handlers call it on channel names that come from users and answer 400
// with the error's Problem. The error is a *ChannelError, which wraps
// ErrInvalidChannel and names the character and its byte offset.
func ValidChannel(name string) error { return checkChannel("", name) }

// checkChannel validates prefix+name without building the string, as
// Publish does for every item.
func checkChannel(prefix, name string) error {
	if name == "" {
		return &ChannelError{Problem: "the name is empty"}
	}
	if n := len(prefix) + len(name); n > maxChannelLen {
		return &ChannelError{Name: prefix + name, Problem: fmt.Sprintf("%d bytes is longer than the %d allowed", n, maxChannelLen)}
	}
	if problem := channelCharProblem(prefix, 0); problem != "" {
		return &ChannelError{Name: prefix + name, Problem: problem}
	}
	if problem := channelCharProblem(name, len(prefix)); problem != "" {
		return &ChannelError{Name: prefix + name, Problem: problem}
	}
	return nil
}

// channelCharProblem describes the first character of s a channel name
// cannot hold, with its byte offset in the whole name (s starts at offset).
func channelCharProblem(s string, offset int) string {
	for i, r := range s {
		at := offset + i
		switch {
		case r == utf8.RuneError && !validRuneAt(s, i):
			return fmt.Sprintf("invalid UTF-8 at byte %d", at)
		case unicode.Is(unicode.Cc, r):
			return fmt.Sprintf("control character %U at byte %d is not allowed", r, at)
		case unicode.Is(unicode.Cf, r):
			return fmt.Sprintf("format character %U at byte %d is not allowed (invisible or reorders text, so the name would look like another)", r, at)
		case unicode.IsSpace(r):
			return fmt.Sprintf("space character %U at byte %d is not allowed", r, at)
		case r == ',' || r == ';' || r == '"':
			return fmt.Sprintf("%q at byte %d is not allowed (it separates GRIP header values)", r, at)
		}
	}
	return ""
}

// validRuneAt tells a real U+FFFD apart from an invalid byte, both of which
// range reports as utf8.RuneError.
func validRuneAt(s string, i int) bool {
	_, size := utf8.DecodeRuneInString(s[i:])
	return size > 1
}

// quoteShort quotes user input for an error message, cut to a readable
// length. %q escapes what is not printable (controls, bidi, zero-width).
func quoteShort(s string) string {
	const max = 64
	if len(s) > max {
		cut := max
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		return fmt.Sprintf("%q...", s[:cut])
	}
	return fmt.Sprintf("%q", s)
}
