package clienttoken

import (
	"testing"
	"time"
)

// TestGrants proves the prefix rule and its edges: "a*" grants "a" itself,
// a star elsewhere is literal, "" grants nothing.
func TestGrants(t *testing.T) {
	for _, tc := range []struct {
		channels []string
		channel  string
		want     bool
	}{
		{[]string{"chat"}, "chat", true},
		{[]string{"chat"}, "chatter", false},
		{[]string{"chat"}, "cha", false},
		{[]string{"news*"}, "news", true},
		{[]string{"news*"}, "news-eu", true},
		{[]string{"news*"}, "newsletter", true},
		{[]string{"news*"}, "new", false},
		{[]string{"news*"}, "chat", false},
		{[]string{"*"}, "anything", true},
		{[]string{"a*b"}, "a*b", true},
		{[]string{"a*b"}, "axb", false},
		{[]string{""}, "", false},
		{[]string{"*"}, "", false},
		{nil, "chat", false},
		{[]string{"x", "room-*", "y"}, "room-1", true},
	} {
		c := &Claims{Channels: tc.channels}
		if got := c.Grants(tc.channel); got != tc.want {
			t.Errorf("%q grants %q = %v, want %v", tc.channels, tc.channel, got, tc.want)
		}
	}
}

// TestExpired proves the chat closes a connection exactly when Verify
// would first refuse its token: at exp plus the leeway.
func TestExpired(t *testing.T) {
	c := &Claims{Expiry: testNow}
	for _, tc := range []struct {
		at   time.Time
		want bool
	}{
		{testNow.Add(-time.Hour), false},
		{testNow, false},
		{testNow.Add(Leeway - time.Nanosecond), false},
		{testNow.Add(Leeway), true},
		{testNow.Add(time.Hour), true},
	} {
		if got := c.Expired(tc.at); got != tc.want {
			t.Errorf("Expired(exp%+v) = %v, want %v", tc.at.Sub(testNow), got, tc.want)
		}
	}
}

// TestName proves the display name falls back to the subject.
func TestName(t *testing.T) {
	for _, tc := range []struct{ name, sub, want string }{
		{"Alice", "u-1", "Alice"},
		{"", "u-1", "u-1"},
	} {
		tk := tokenClaims{Name: tc.name}
		tk.Subject = tc.sub
		if got := tk.claims().Name; got != tc.want {
			t.Errorf("name %q sub %q: Name = %q, want %q", tc.name, tc.sub, got, tc.want)
		}
	}
}
