package feed

import (
	"bytes"
	"errors"
	"log/slog"
	"net/url"
	"strings"
	"testing"

	"github.com/faas-grip/faas-grip-go/internal/grip"
	"github.com/faas-grip/faas-grip-go/internal/grip/apigw"
)

func TestCheckChannel(t *testing.T) {
	for _, ok := range []string{"news", "news.ssex", "sse", "a.sse.b"} {
		if err := CheckChannel(grip.Config{}, ok); err != nil {
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
		err := CheckChannel(grip.Config{}, name)
		if !errors.Is(err, grip.ErrInvalidChannel) || !strings.Contains(ChannelProblem(err), want) {
			t.Errorf("CheckChannel(%q) = %v (%q), want ErrInvalidChannel saying %q", name, err, ChannelProblem(err), want)
		}
	}
	// Every twin is refused as a user name, so no user channel can collide with one.
	for _, name := range []string{"news", "a", "ünï"} {
		if CheckChannel(grip.Config{}, SSEChannel(name)) == nil {
			t.Errorf("the twin of %q passes as a user name", name)
		}
		if CheckChannel(grip.Config{}, name+ReleaseCheckSuffix) == nil {
			t.Errorf("the release-check twin of %q passes as a user name", name)
		}
	}
}

// The prefix and the longest twin count towards the length limit: a name
// that passes here is one the proxies accept on every channel it is used on.
func TestCheckChannelCountsThePrefixAndTheTwin(t *testing.T) {
	const limit = 256 // grip's longest channel name, prefix included
	twin := max(len(SSESuffix), len(ReleaseCheckSuffix))
	prefixed := grip.Config{Prefix: "pfx-"}
	longest := strings.Repeat("x", limit-len(prefixed.Prefix)-twin)
	for _, tc := range []struct {
		cfg  grip.Config
		name string
		ok   bool
		want string
	}{
		{grip.Config{}, strings.Repeat("x", limit-twin), true, ""},
		{grip.Config{}, strings.Repeat("x", limit-twin+1), false, "twin"},
		{grip.Config{}, strings.Repeat("x", limit+1), false, "longer than"},
		{prefixed, longest, true, ""},
		{prefixed, longest + "x", false, "twin"},
		{prefixed, strings.Repeat("x", limit-len(prefixed.Prefix)+1), false, "longer than"},
	} {
		err := CheckChannel(tc.cfg, tc.name)
		if (err == nil) != tc.ok || (err != nil && !strings.Contains(ChannelProblem(err), tc.want)) {
			t.Errorf("prefix %q, %d bytes: %v, want ok=%v (%q)", tc.cfg.Prefix, len(tc.name), err, tc.ok, tc.want)
		}
		if err == nil {
			for _, ch := range []string{tc.name, SSEChannel(tc.name), tc.name + ReleaseCheckSuffix} {
				if err := tc.cfg.CheckChannel(ch); err != nil {
					t.Errorf("passed, but the proxy name %q fails: %v", ch, err)
				}
			}
		}
	}
}

// A function's default channel is checked at cold start like a request's,
// and the error says it is the default.
func TestCheckDefaultChannel(t *testing.T) {
	for _, name := range []string{"news\u202E", "news.sse", ""} {
		if err := CheckDefaultChannel(grip.Config{}, name); err == nil || !strings.Contains(err.Error(), "default channel") {
			t.Errorf("%q: %v, want an error naming the default channel", name, err)
		}
	}
	if err := CheckDefaultChannel(grip.Config{Prefix: strings.Repeat("p", 250)}, "news"); err == nil {
		t.Error("a prefix that makes the name too long must be refused")
	}
	if err := CheckDefaultChannel(grip.Config{}, "news"); err != nil {
		t.Error(err)
	}
}

// RequestedChannel falls back to the default, and answers a bad name with a
// 400 that says why, logged without the name.
func TestRequestedChannel(t *testing.T) {
	var logs bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&logs, nil))
	r := &apigw.Request{Query: url.Values{}}
	if ch, refused := RequestedChannel(t.Context(), r, grip.Config{}, "news", nil, log); ch != "news" || refused != nil {
		t.Errorf("no channel: %q, %v; want the default", ch, refused)
	}
	r.Query.Set("channel", "scores")
	if ch, refused := RequestedChannel(t.Context(), r, grip.Config{}, "news", nil, log); ch != "scores" || refused != nil {
		t.Errorf("scores: %q, %v", ch, refused)
	}
	r.Query.Set("channel", "secret\u202Ename")
	ch, refused := RequestedChannel(t.Context(), r, grip.Config{}, "news", nil, log)
	if ch != "" || refused == nil || refused.Status != 400 || !strings.Contains(string(refused.Body), "invalid channel name") {
		t.Fatalf("bad name: %q, %+v", ch, refused)
	}
	if !strings.Contains(logs.String(), "bad channel") || strings.Contains(logs.String(), "secret") {
		t.Errorf("log %s: want the reason without the name", logs.String())
	}
}
