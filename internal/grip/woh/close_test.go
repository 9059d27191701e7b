package woh

import "testing"

func TestAppendCloseContent(t *testing.T) {
	tests := []struct {
		name   string
		code   int
		reason string
		want   string
	}{
		{"normal", 1000, "", "\x03\xe8"},
		{"with reason", 1001, "going away", "\x03\xe9going away"},
		{"application code", 4000, "", "\x0f\xa0"},
		{"code 0 is never sent", 0, "", "\x03\xe8"},
		{"code 0 with a reason", 0, "bye", "\x03\xe8bye"},
		{"negative", -5, "", "\x03\xe8"},
		{"too large", 70000, "", "\x03\xe8"},
		{"max", 65535, "", "\xff\xff"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := AppendCloseContent(nil, tc.code, tc.reason); string(got) != tc.want {
				t.Fatalf("AppendCloseContent(nil, %d, %q) = %q, want %q", tc.code, tc.reason, got, tc.want)
			}
		})
	}
}

func TestParseClose(t *testing.T) {
	tests := []struct {
		name       string
		content    []byte
		wantCode   int
		wantReason string
	}{
		{"no content", nil, 0, ""},
		{"empty content", []byte{}, 0, ""},
		{"one byte", []byte{0x03}, 0, ""},
		{"code only", []byte("\x03\xe8"), 1000, ""},
		// The JS and Python libraries lost the code when a reason was present.
		{"code and reason", []byte("\x03\xe9going away"), 1001, "going away"},
		{"utf-8 reason", []byte("\x0f\xa0h\xc3\xa9"), 4000, "hé"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, reason := ParseClose(tc.content)
			if code != tc.wantCode || reason != tc.wantReason {
				t.Fatalf("ParseClose(%q) = %d, %q; want %d, %q", tc.content, code, reason, tc.wantCode, tc.wantReason)
			}
		})
	}
}

func TestCloseRoundTrip(t *testing.T) {
	code, reason := ParseClose(AppendCloseContent(nil, 1011, "server error"))
	if code != 1011 || reason != "server error" {
		t.Fatalf("round trip = %d %q", code, reason)
	}
}
