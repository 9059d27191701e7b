package grip

import (
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestHoldApply(t *testing.T) {
	tests := []struct {
		name   string
		hold   Hold
		prefix string
		want   http.Header
	}{
		{"long-poll, default mode", Hold{Channels: []Channel{{Name: "room"}}},
			"", http.Header{"Grip-Hold": {"response"}, "Grip-Channel": {"room"}}},
		{"prefix and timeout rounded up", Hold{Mode: HoldResponse, Channels: []Channel{{Name: "room"}}, Timeout: 20500 * time.Millisecond},
			"app-", http.Header{"Grip-Hold": {"response"}, "Grip-Channel": {"app-room"}, "Grip-Timeout": {"21"}}},
		{"channels with prev-id and filters, one value each", Hold{Channels: []Channel{
			{Name: "a", PrevID: "42"},
			{Name: "b", PrevID: "id with; spaces", Filters: []string{"skip-self", "build-id"}},
		}}, "", http.Header{"Grip-Hold": {"response"}, "Grip-Channel": {
			"a; prev-id=42",
			`b; prev-id="id with; spaces"; filter=skip-self; filter=build-id`,
		}}},
		{"stream with cstring keep-alive", Hold{Mode: HoldStream, Channels: []Channel{{Name: "s"}},
			KeepAlive: &KeepAlive{Data: []byte(":\n\n"), Timeout: 20 * time.Second}},
			"", http.Header{"Grip-Hold": {"stream"}, "Grip-Channel": {"s"}, "Grip-Keep-Alive": {`:\n\n; format=cstring; timeout=20`}}},
		{"raw keep-alive with interval mode", Hold{Mode: HoldStream, Channels: []Channel{{Name: "s"}},
			KeepAlive: &KeepAlive{Data: []byte("ping pong"), Mode: keepAliveInterval}},
			"", http.Header{"Grip-Hold": {"stream"}, "Grip-Channel": {"s"}, "Grip-Keep-Alive": {"ping pong; format=raw; mode=interval"}}},
		{"binary keep-alive is base64", Hold{Mode: HoldStream, Channels: []Channel{{Name: "s"}},
			KeepAlive: &KeepAlive{Data: []byte{0, 0xff}, Mode: keepAliveIdle}},
			"", http.Header{"Grip-Hold": {"stream"}, "Grip-Channel": {"s"}, "Grip-Keep-Alive": {"AP8=; format=base64; mode=idle"}}},
		{"explicit format", Hold{Mode: HoldStream, Channels: []Channel{{Name: "s"}},
			KeepAlive: &KeepAlive{Data: []byte("x"), Format: keepAliveBase64}},
			"", http.Header{"Grip-Hold": {"stream"}, "Grip-Channel": {"s"}, "Grip-Keep-Alive": {"eA==; format=base64"}}},
		{"links, status, meta", Hold{Channels: []Channel{{Name: "c"}},
			Links: []Link{
				{URI: "/poll?since=5", Timeout: 30 * time.Second},
				{URI: "https://origin.example/gone", Rel: LinkGone},
			},
			Status: 202, Reason: "Held Up",
			SetMeta: map[string]string{"user": "bob", "quote": `say "hi" \o/`, "empty": ""}},
			"", http.Header{
				"Grip-Hold":     {"response"},
				"Grip-Channel":  {"c"},
				"Grip-Link":     {"</poll?since=5>; rel=next; timeout=30", "<https://origin.example/gone>; rel=gone"},
				"Grip-Status":   {"202 Held Up"},
				"Grip-Set-Meta": {`empty="", quote="say \"hi\" \\o/", user="bob"`},
			}},
		{"status without reason", Hold{Channels: []Channel{{Name: "c"}}, Status: 200},
			"", http.Header{"Grip-Hold": {"response"}, "Grip-Channel": {"c"}, "Grip-Status": {"200"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			header := http.Header{"Content-Type": {"text/plain"}, "Grip-Timeout": {"999"}}
			if err := tt.hold.Apply(header, Config{Prefix: tt.prefix}); err != nil {
				t.Fatal(err)
			}
			tt.want.Set("Content-Type", "text/plain")
			if !reflect.DeepEqual(header, tt.want) {
				t.Errorf("headers\n got %q\nwant %q", header, tt.want)
			}
		})
	}
}

func TestHoldApplyErrors(t *testing.T) {
	one := []Channel{{Name: "c"}}
	tests := []struct {
		name    string
		hold    Hold
		prefix  string
		problem string
	}{
		{"no channel", Hold{}, "", "at least one"},
		{"bad mode", Hold{Mode: "poll", Channels: one}, "", "mode"},
		{"empty channel", Hold{Channels: []Channel{{}}}, "", "empty"},
		{"comma in channel", Hold{Channels: []Channel{{Name: "a,b"}}}, "", "separates"},
		{"bad prefix", Hold{Channels: one}, "a b", "space"},
		{"prev-id with newline", Hold{Channels: []Channel{{Name: "c", PrevID: "1\r\nX-Evil: 1"}}}, "", "CR, LF"},
		{"bad filter", Hold{Channels: []Channel{{Name: "c", Filters: []string{"a b"}}}}, "", "filter"},
		{"negative timeout", Hold{Channels: one, Timeout: -time.Second}, "", "negative"},
		{"empty keep-alive", Hold{Channels: one, KeepAlive: &KeepAlive{}}, "", "empty"},
		{"raw keep-alive with newline", Hold{Channels: one, KeepAlive: &KeepAlive{Data: []byte("a\n"), Format: keepAliveRaw}}, "", "cannot be sent raw"},
		{"raw keep-alive with semicolon", Hold{Channels: one, KeepAlive: &KeepAlive{Data: []byte("a;b"), Format: keepAliveRaw}}, "", "cannot be sent raw"},
		{"bad keep-alive format", Hold{Channels: one, KeepAlive: &KeepAlive{Data: []byte("a"), Format: "hex"}}, "", "Format"},
		{"bad keep-alive mode", Hold{Channels: one, KeepAlive: &KeepAlive{Data: []byte("a"), Mode: "often"}}, "", "Mode"},
		{"negative keep-alive timeout", Hold{Channels: one, KeepAlive: &KeepAlive{Data: []byte("a"), Timeout: -1}}, "", "negative"},
		{"empty link", Hold{Channels: one, Links: []Link{{}}}, "", "empty"},
		{"link with comma", Hold{Channels: one, Links: []Link{{URI: "/a,b"}}}, "", "percent-encode"},
		{"link with newline", Hold{Channels: one, Links: []Link{{URI: "/a\nb"}}}, "", "percent-encode"},
		{"bad rel", Hold{Channels: one, Links: []Link{{URI: "/a", Rel: "prev"}}}, "", "Rel"},
		{"gone with timeout", Hold{Channels: one, Links: []Link{{URI: "/a", Rel: LinkGone, Timeout: time.Second}}}, "", "only for rel=next"},
		{"negative link timeout", Hold{Channels: one, Links: []Link{{URI: "/a", Timeout: -time.Second}}}, "", "negative"},
		{"bad status", Hold{Channels: one, Status: 1000}, "", "status code"},
		{"reason without status", Hold{Channels: one, Reason: "OK"}, "", "without a Status"},
		{"reason with newline", Hold{Channels: one, Status: 200, Reason: "OK\n"}, "", "CR, LF"},
		{"meta key not a token", Hold{Channels: one, SetMeta: map[string]string{"a b": "x"}}, "", "token"},
		{"meta value with NUL", Hold{Channels: one, SetMeta: map[string]string{"k": "a\x00"}}, "", "CR, LF or NUL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			header := http.Header{"Grip-Hold": {"stream"}}
			err := tt.hold.Apply(header, Config{Prefix: tt.prefix})
			if !errors.Is(err, errInvalidHold) {
				t.Fatalf("err = %v, want errInvalidHold", err)
			}
			if !strings.Contains(err.Error(), tt.problem) {
				t.Errorf("error %q does not mention %q", err, tt.problem)
			}
			if len(header) != 1 || header.Get("Grip-Hold") != "stream" {
				t.Errorf("header changed on error: %q", header)
			}
		})
	}

	err := Hold{Channels: []Channel{{Name: "a;b"}}}.Apply(http.Header{}, Config{})
	if !errors.Is(err, ErrInvalidChannel) {
		t.Errorf("bad channel: err = %v, want ErrInvalidChannel too", err)
	}
}

// TestKeepAliveFormats checks the chosen encoding decodes back to the data,
// the way Pushpin reads it.
func TestKeepAliveFormats(t *testing.T) {
	tests := []struct {
		data       string
		wantFormat string
		wantValue  string
	}{
		{"ping", keepAliveRaw, "ping"},
		{"{}", keepAliveRaw, "{}"},
		{`a\b`, keepAliveRaw, `a\b`},
		{"\n", keepAliveCString, `\n`},
		{" lead", keepAliveCString, `\x20lead`},
		{"trail ", keepAliveCString, `trail\x20`},
		{"a;b,c\"d", keepAliveCString, `a\x3bb\x2cc\x22d`},
		{"tab\there\r\n", keepAliveCString, `tab\x09here\r\n`},
		{"back\\slash\n", keepAliveCString, `back\\slash\n`},
		{"\x00bin", keepAliveBase64, "AGJpbg=="},
		{"é", keepAliveBase64, "w6k="},
	}
	for _, tt := range tests {
		value, err := (&KeepAlive{Data: []byte(tt.data)}).headerValue()
		if err != nil {
			t.Fatal(err)
		}
		data, params := parseParams(value)
		if params["format"] != tt.wantFormat || data != tt.wantValue {
			t.Errorf("%q: got %q (format %s), want %q (format %s)", tt.data, data, params["format"], tt.wantValue, tt.wantFormat)
		}
		if tt.wantFormat == keepAliveCString {
			if got := cstringUnescape(data); got != tt.data {
				t.Errorf("%q: cstring %q decodes to %q", tt.data, data, got)
			}
		}
	}
}

// cstringUnescape reads Pushpin's cstring format, to check round trips.
func cstringUnescape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 >= len(s) {
			b.WriteByte(s[i])
			continue
		}
		i++
		switch s[i] {
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case '\\':
			b.WriteByte('\\')
		case 'x':
			var v byte
			for _, c := range []byte(s[i+1 : i+3]) {
				v = v<<4 | byte(strings.IndexByte(hexDigits, c))
			}
			b.WriteByte(v)
			i += 2
		}
	}
	return b.String()
}

func TestParseGripLast(t *testing.T) {
	tests := []struct {
		name   string
		values []string
		want   map[string]string
	}{
		{"none", nil, nil},
		{"one", []string{"room; last-id=42"}, map[string]string{"room": "42"}},
		{"several lines", []string{"a; last-id=1", "b; last-id=2"}, map[string]string{"a": "1", "b": "2"}},
		{"comma-joined", []string{"a; last-id=1, b; last-id=2"}, map[string]string{"a": "1", "b": "2"}},
		{"quoted id with comma", []string{`a; last-id="x, \"y\""`}, map[string]string{"a": `x, "y"`}},
		{"case and spaces", []string{"  app-c ;LAST-ID = 7 "}, map[string]string{"app-c": "7"}},
		{"empty id kept", []string{"a; last-id="}, map[string]string{"a": ""}},
		{"malformed skipped", []string{"; last-id=1, b, c; other=1, d; last-id=4"}, map[string]string{"d": "4"}},
		{"open quote", []string{`a; last-id="1, b; last-id=2`}, map[string]string{"a": `"1, b; last-id=2`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			header := http.Header{}
			for _, v := range tt.values {
				header.Add("Grip-Last", v)
			}
			if got := ParseGripLast(header); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseGripLast = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestHoldHeadersParseBack reads the written Grip-Channel values the way a
// proxy does (split at unquoted commas and semicolons) and gets the input.
func TestHoldHeadersParseBack(t *testing.T) {
	channels := []Channel{
		{Name: "plain"},
		{Name: "with-id", PrevID: `tricky, "id"; \ here`, Filters: []string{"skip-self"}},
	}
	header := http.Header{}
	if err := (Hold{Channels: channels}).Apply(header, Config{Prefix: "p-"}); err != nil {
		t.Fatal(err)
	}
	var entries []string
	for _, v := range header.Values("Grip-Channel") {
		entries = append(entries, splitUnquoted(v, ',')...)
	}
	if len(entries) != 2 {
		t.Fatalf("entries = %q", entries)
	}
	name, params := parseParams(entries[1])
	if name != "p-with-id" || params["prev-id"] != channels[1].PrevID || params["filter"] != "skip-self" {
		t.Errorf("parsed back %q %q", name, params)
	}
}
