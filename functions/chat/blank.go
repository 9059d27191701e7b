package main

import "unicode"

// isBlank reports whether text has nothing to show: empty, or only spaces and
// invisible characters (controls, zero-width and other format characters).
// Such messages would reach everyone as empty lines.
func isBlank(text string) bool {
	for _, r := range text {
		if unicode.IsGraphic(r) && !unicode.IsSpace(r) {
			return false
		}
	}
	return true
}
