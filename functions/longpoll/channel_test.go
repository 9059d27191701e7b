package main

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/faas-grip/faas-grip-go/internal/grip/apigw"
)

// Names that look like another (bidi, zero-width, controls), invalid UTF-8
// and the SSE twin of a channel are refused with a 400 that says why, and
// the reason is logged.
func TestLongpollRefusesBadChannelNames(t *testing.T) {
	tests := []struct{ channel, want string }{
		{"news\u202Eabc", "U+202E at byte 4"},
		{"ne\u200Bws", "U+200B at byte 2"},
		{"news\x00", "U+0000 at byte 4"},
		{"\x1fnews", "U+001F at byte 0"},
		{"\uFEFFnews", "U+FEFF at byte 0"},
		{"news\xff", "invalid UTF-8 at byte 4"},
		{"news.sse", `reserved for the Server-Sent Events twin`},
	}
	for _, tc := range tests {
		t.Run(tc.want, func(t *testing.T) {
			var logs bytes.Buffer
			h := newHandlerLogging(t, map[string]string{"GRIP_URL": "http://127.0.0.1:5561", "GRIP_SIG_REQUIRED": "false"}, 0, slog.New(slog.NewJSONHandler(&logs, nil)))
			r := &apigw.Request{Method: "GET", Query: url.Values{"channel": {tc.channel}}, Header: http.Header{"Grip-Sig": {"x"}}}
			resp, err := h.Handle(t.Context(), r)
			if err != nil {
				t.Fatal(err)
			}
			if resp.Status != http.StatusBadRequest || !strings.Contains(string(resp.Body), tc.want) {
				t.Errorf("got %d %q, want 400 saying %q", resp.Status, resp.Body, tc.want)
			}
			if resp.Header.Get("Grip-Hold") != "" {
				t.Error("a refused request must not be held")
			}
			if !strings.Contains(logs.String(), `"msg":"bad channel"`) || !strings.Contains(logs.String(), tc.want) {
				t.Errorf("log does not say why: %s", logs.String())
			}
		})
	}
}
