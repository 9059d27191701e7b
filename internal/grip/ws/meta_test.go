package ws

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/faas-grip/faas-grip-go/internal/grip"
)

func TestMeta(t *testing.T) {
	c := mustParse(t, "", grip.Config{}, "Meta-User", "ann", "Meta-Room", "lobby", "Metadata", "no", "User", "no")
	tests := []struct{ name, want string }{
		{"user", "ann"},
		{"User", "ann"},
		{"ROOM", "lobby"},
		{"data", ""},
		{"missing", ""},
		{"", ""},
	}
	for _, tc := range tests {
		if got := c.Meta(tc.name); got != tc.want {
			t.Errorf("Meta(%q) = %q, want %q", tc.name, got, tc.want)
		}
	}
	if err := c.SetMeta("user", "bob"); err != nil {
		t.Fatal(err)
	}
	if got := c.Meta("USER"); got != "bob" {
		t.Errorf("Meta after SetMeta = %q, want bob", got)
	}
}

func TestSetMetaRefusesBadInput(t *testing.T) {
	const secret = "s3cret-token"
	tests := []struct {
		name, key, value, reason string
	}{
		{"CR in value", "user", secret + "\r", "control character"},
		{"LF in value", "user", secret + "\nX-Injected: 1", "control character"},
		{"NUL in value", "user", secret + "\x00", "control character"},
		{"DEL in value", "user", secret + "\x7f", "control character"},
		{"empty name", "", "v", "token"},
		{"space in name", "user name", "v", "token"},
		{"colon in name", "user:x", "v", "token"},
		{"CRLF in name", "user\r\nX", "v", "token"},
		{"non-ASCII name", "usér", "v", "token"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := mustParse(t, "", grip.Config{}, "Meta-User", "ann")
			err := c.SetMeta(tc.key, tc.value)
			if !errors.Is(err, errInvalidMeta) || !strings.Contains(err.Error(), strconv.Quote(tc.key)) || !strings.Contains(err.Error(), tc.reason) {
				t.Fatalf("SetMeta(%q, %q) = %v, want errInvalidMeta naming the key, about %q", tc.key, tc.value, err, tc.reason)
			}
			if strings.Contains(err.Error(), secret) {
				t.Errorf("error %q quotes the value", err)
			}
			if strings.ContainsAny(err.Error(), "\r\n") {
				t.Errorf("error %q contains a line break", err)
			}
			if got := c.Meta("user"); got != "ann" {
				t.Errorf("refused SetMeta changed the value to %q", got)
			}
			if h := c.Response().Header; len(h) != 1 {
				t.Errorf("refused SetMeta reached the response: %v", h)
			}
		})
	}
}

func TestSetMetaAcceptsHeaderValues(t *testing.T) {
	c := mustParse(t, "", grip.Config{})
	for _, v := range []string{"", "ann", "a b\tc", "é ☃", `{"json":1}`} {
		if err := c.SetMeta("x-Value_1", v); err != nil {
			t.Errorf("SetMeta(%q) = %v", v, err)
		}
	}
}

func TestMetaMatchesNetHTTPCanonicalKeys(t *testing.T) {
	for _, name := range []string{"user", "USER", "user-id", "USER-ID", "x_value_1", "a-b-c", "9lives", "mixed-Case_Name", strings.Repeat("long", 30)} {
		h := wohHeader("c")
		h.Set("Meta-"+name, "v") // net/http canonicalizes the key
		c, err := parse("POST", h, nil, grip.Config{})
		if err != nil {
			t.Fatal(err)
		}
		if got := c.Meta(name); got != "v" {
			t.Errorf("Meta(%q) = %q with header key %v; want v", name, got, h)
		}
	}
}
