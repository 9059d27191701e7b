package grip

import (
	"errors"
	"strings"
	"testing"
)

// Names that render as something else (bidi overrides, zero-width and other
// format characters, controls) are refused, and the error says which
// character and where, without repeating it raw.
func TestValidChannelRefusesInvisibleCharacters(t *testing.T) {
	tests := []struct {
		name string
		want string // in the problem
	}{
		{"abc\u202Edef", "U+202E at byte 3"},
		{"news\u200B", "U+200B at byte 4"},
		{"\uFEFFnews", "U+FEFF at byte 0"},
		{"a\u2066b", "U+2066 at byte 1"},
		{"é\u00ADx", "U+00AD at byte 2"},
		{"a\x00b", "U+0000 at byte 1"},
		{"ab\x1f", "U+001F at byte 2"},
		{"a\u0085b", "U+0085 at byte 1"},
		{"a\xffb", "invalid UTF-8 at byte 1"},
		{"", "empty"},
	}
	for _, tc := range tests {
		err := ValidChannel(tc.name)
		var ce *ChannelError
		if !errors.As(err, &ce) || !errors.Is(err, ErrInvalidChannel) {
			t.Errorf("ValidChannel(%q) = %v, want a *ChannelError wrapping ErrInvalidChannel", tc.name, err)
			continue
		}
		if !strings.Contains(ce.Problem, tc.want) {
			t.Errorf("ValidChannel(%q): problem %q, want it to mention %q", tc.name, ce.Problem, tc.want)
		}
		if tc.name != "" && strings.Contains(ce.Problem, tc.name) {
			t.Errorf("ValidChannel(%q): problem %q repeats the name", tc.name, ce.Problem)
		}
		// The message quotes the name escaped: no raw bidi or NUL reaches a log line.
		for _, r := range err.Error() {
			if r == 0 || r == 0x1f || r == 0x202E || r == 0x200B || r == 0xFEFF || r == 0x2066 || r == 0xAD {
				t.Errorf("ValidChannel(%q): the message carries %U raw: %q", tc.name, r, err.Error())
			}
		}
	}
	// The hold and publish paths check the same way (prefix included).
	if err := (Hold{Mode: HoldStream, Channels: []Channel{{Name: "a\u202Eb"}}}).Apply(make(map[string][]string), Config{}); !errors.Is(err, ErrInvalidChannel) {
		t.Errorf("Hold.Apply with U+202E: %v", err)
	}
	if _, err := publishBody("", []Item{wsText("a\u200Bb", "x")}); !errors.Is(err, ErrInvalidChannel) {
		t.Errorf("publish with U+200B: %v", err)
	}
}
