package grip

import (
	"fmt"
	"unicode"
	"unicode/utf8"
)

// MaxChannelLen is the longest channel name, in bytes, prefix included.
const MaxChannelLen = 256

// ValidChannel reports whether name can be used as a channel everywhere GRIP
// carries one: in Grip-Channel headers, WebSocket subscribe messages and
// publish items. A valid name is 1 to 256 bytes of UTF-8 with no control
// characters, no whitespace and none of , ; " (they separate values and
// parameters in GRIP headers, so a proxy would read a different channel).
//
// Handlers should call it on channel names that come from users and answer
// 400 when it fails. The error wraps ErrInvalidChannel.
func ValidChannel(name string) error { return checkChannel("", name) }

// checkChannel validates prefix+name without building the string, as
// Publish does for every item.
func checkChannel(prefix, name string) error {
	if name == "" {
		return fmt.Errorf("%w: the name is empty", ErrInvalidChannel)
	}
	if n := len(prefix) + len(name); n > MaxChannelLen {
		return fmt.Errorf("%w %s: %d bytes is longer than the %d allowed", ErrInvalidChannel, quoteShort(prefix+name), n, MaxChannelLen)
	}
	for _, part := range [2]string{prefix, name} {
		if err := checkChannelChars(part); err != nil {
			return fmt.Errorf("%w %s: %v", ErrInvalidChannel, quoteShort(prefix+name), err)
		}
	}
	return nil
}

// checkChannelChars finds the first character a channel name cannot hold.
func checkChannelChars(s string) error {
	for i, r := range s {
		switch {
		case r == utf8.RuneError && !validRuneAt(s, i):
			return fmt.Errorf("not valid UTF-8")
		case unicode.IsControl(r) || unicode.IsSpace(r):
			return fmt.Errorf("control or space character %q", r)
		case r == ',' || r == ';' || r == '"':
			return fmt.Errorf("%q is not allowed (it separates GRIP header values)", r)
		}
	}
	return nil
}

// validRuneAt tells a real U+FFFD apart from an invalid byte, both of which
// range reports as utf8.RuneError.
func validRuneAt(s string, i int) bool {
	_, size := utf8.DecodeRuneInString(s[i:])
	return size > 1
}

// quoteShort quotes user input for an error message, cut to a readable length.
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
