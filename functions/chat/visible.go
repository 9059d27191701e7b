package main

import "unicode"

// visible reports whether text shows anything at all: at least one character
// that draws ink on its own. The chat uses it for messages and nicks alike;
// a blank one would reach everyone as an empty line or an empty name.
func visible(text string) bool {
	for _, r := range text {
		if showsInk(r) {
			return true
		}
	}
	return false
}

// showsInk is false for spaces and controls, for format and other
// default-ignorable characters (zero-width ones, the Hangul fillers U+115F,
// U+1160, U+3164 and U+FFA0, variation selectors), for combining marks
// (which draw only on a base character: "é" shows through its "e") and for
// U+2800 BRAILLE PATTERN BLANK, a symbol that is a blank cell by design.
func showsInk(r rune) bool {
	switch {
	case !unicode.IsGraphic(r), unicode.IsSpace(r), unicode.Is(unicode.M, r):
		return false
	case unicode.Is(unicode.Other_Default_Ignorable_Code_Point, r), unicode.Is(unicode.Variation_Selector, r):
		return false
	case r == '\u2800':
		return false
	}
	return true
}
