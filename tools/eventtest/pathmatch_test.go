package eventtest

import "testing"

func TestPathMatches(t *testing.T) {
	for _, tc := range []struct {
		route, path string
		want        bool
	}{
		{"/stream", "/stream", true},
		{"/stream", "/streams", false},
		{"/items/{id}", "/items/7", true},
		{"/items/{id}", "/items/7/x", false},
		{"/files/{proxy+}", "/files/a/b", true},
		{"/files/{proxy+}", "/files", false},
		{"$default", "/anything", true},
		{"/a.b", "/axb", false},
	} {
		if got := pathMatches(tc.route, tc.path); got != tc.want {
			t.Errorf("pathMatches(%q, %q) = %v, want %v", tc.route, tc.path, got, tc.want)
		}
	}
}
