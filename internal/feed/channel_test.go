package feed

import (
	"errors"
	"strings"
	"testing"

	"github.com/faas-grip/faas-grip-go/internal/grip"
)

func TestCheckChannel(t *testing.T) {
	for _, ok := range []string{"news", "news.ssex", "sse", "a.sse.b"} {
		if err := CheckChannel(ok); err != nil {
			t.Errorf("CheckChannel(%q) = %v", ok, err)
		}
	}
	for name, want := range map[string]string{
		"news.sse":      "reserved for the Server-Sent Events twin",
		SSEChannel("x"): "reserved",
		".sse":          "reserved",
		"a\u202Eb":      "U+202E at byte 1",
		"":              "empty",
	} {
		err := CheckChannel(name)
		if !errors.Is(err, grip.ErrInvalidChannel) || !strings.Contains(ChannelProblem(err), want) {
			t.Errorf("CheckChannel(%q) = %v (%q), want ErrInvalidChannel saying %q", name, err, ChannelProblem(err), want)
		}
	}
	// Every twin is refused as a user name, so no user channel can collide with one.
	for _, name := range []string{"news", "a", "ünï"} {
		if CheckChannel(SSEChannel(name)) == nil {
			t.Errorf("the twin of %q passes as a user name", name)
		}
	}
}
