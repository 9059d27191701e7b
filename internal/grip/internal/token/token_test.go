package token

import "testing"

func TestValid(t *testing.T) {
	for s, want := range map[string]bool{
		"Content-Type": true, "x_a.b~c": true, "!#$%&'*+-.^_`|~09azAZ": true,
		"": false, "a b": false, "a:b": false, "a\"b": false, "ü": false, "a\x00": false, "(x)": false,
	} {
		if got := Valid(s); got != want {
			t.Errorf("Valid(%q) = %v, want %v", s, got, want)
		}
	}
}
