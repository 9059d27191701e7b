package main

import (
	"strings"
	"testing"
)

// blankLooking are the characters that draw nothing on their own. Each is
// tested alone, repeated, and between spaces: none may make a message or a
// nick.
var blankLooking = map[string]rune{
	"space":                          ' ',
	"no-break space":                 '\u00a0',
	"ideographic space":              '\u3000',
	"zero width space":               '\u200b',
	"zero width joiner":              '\u200d',
	"byte order mark":                '\ufeff',
	"word joiner":                    '\u2060',
	"NUL":                            '\x00',
	"BRAILLE PATTERN BLANK":          '\u2800',
	"HANGUL FILLER":                  '\u3164',
	"HANGUL CHOSEONG FILLER":         '\u115f',
	"HANGUL JUNGSEONG FILLER":        '\u1160',
	"HALFWIDTH HANGUL FILLER":        '\uffa0',
	"COMBINING ACUTE ACCENT (alone)": '\u0301',
	"COMBINING ENCLOSING CIRCLE":     '\u20dd',
	"COMBINING GRAPHEME JOINER":      '\u034f',
	"VARIATION SELECTOR-16":          '\ufe0f',
	"KHMER VOWEL INHERENT AQ":        '\u17b4',
	"MONGOLIAN VOWEL SEPARATOR":      '\u180e',
	"TAG SPACE":                      '\U000e0020',
}

func TestVisible(t *testing.T) {
	for name, r := range blankLooking {
		for _, text := range []string{string(r), strings.Repeat(string(r), 3), " " + string(r) + " "} {
			if visible(text) {
				t.Errorf("%s: visible(%+q) = true, want false", name, text)
			}
		}
	}
	for _, text := range []string{"a", " . ", "🎉", "\u200bx", "中", "e\u0301", "\u3164a", "⠁", "한"} {
		if !visible(text) {
			t.Errorf("visible(%+q) = false, want true", text)
		}
	}
	if visible("") {
		t.Error(`visible("") = true`)
	}
}

// Blank-looking messages are dropped, and blank-looking nicks refused: the
// same definition for both.
func TestBlankLookingMessagesAndNicks(t *testing.T) {
	for name, r := range blankLooking {
		t.Run(name, func(t *testing.T) {
			h, pub := newHandler(t, map[string]string{"GRIP_URL": testGripURL})
			text := strings.Repeat(string(r), 2)
			resp, _ := h.Handle(t.Context(), wohRequest(t, nil, text, "/nick "+text))
			if got := publishedFrames(t, pub); len(got) != 0 {
				t.Errorf("broadcast %+v", got)
			}
			frames := decodeFrames(t, resp.Body)
			if len(frames) != 1 || frames[0].Code != noticeBadNick {
				t.Errorf("told %+v, want only a %s notice for the nick", frames, noticeBadNick)
			}
			if v := resp.Header.Get("Set-Meta-Nick"); v != "" {
				t.Errorf("bound the nick %q", v)
			}
		})
	}
}
