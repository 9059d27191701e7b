package grip

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
)

func TestItemJSON(t *testing.T) {
	tests := []struct {
		name string
		item Item
		want string
	}{
		{"ws text", wsText("room", "hello"),
			`{"channel":"room","formats":{"ws-message":{"content":"hello"}}}`},
		{"ws empty text", wsText("room", ""),
			`{"channel":"room","formats":{"ws-message":{"content":""}}}`},
		{"ws text escaped", wsText("room", "a\"b\\c\n\t\x01\u2028é<>&"),
			`{"channel":"room","formats":{"ws-message":{"content":"a\"b\\c\n\t\u0001\u2028é<>&"}}}`},
		{"ws binary is base64", wsBinary("room", []byte{0, 1, 0xfe, 0xff}),
			`{"channel":"room","formats":{"ws-message":{"content-bin":"AAH+/w=="}}}`},
		{"ws binary that happens to be text is still base64", wsBinary("room", []byte("hi")),
			`{"channel":"room","formats":{"ws-message":{"content-bin":"aGk="}}}`},
		{"ws ping", Item{Channel: "c", Formats: Formats{WSMessage: &WSMessageFormat{Type: WSTypePing, Content: []byte("p")}}},
			`{"channel":"c","formats":{"ws-message":{"type":"ping","content-bin":"cA=="}}}`},
		{"ws pong without content", Item{Channel: "c", Formats: Formats{WSMessage: &WSMessageFormat{Type: WSTypePong}}},
			`{"channel":"c","formats":{"ws-message":{"type":"pong"}}}`},
		{"ws close defaults to 1000", wsClose("room", 0, ""),
			`{"channel":"room","formats":{"ws-message":{"action":"close","code":1000}}}`},
		{"ws close with code and reason", wsClose("room", 4001, "kicked"),
			`{"channel":"room","formats":{"ws-message":{"action":"close","code":4001,"reason":"kicked"}}}`},
		{"ws close via Action", Item{Channel: "c", Formats: Formats{WSMessage: &WSMessageFormat{Action: actionClose, Close: true}}},
			`{"channel":"c","formats":{"ws-message":{"action":"close","code":1000}}}`},
		{"ws refresh", Item{Channel: "c", Formats: Formats{WSMessage: &WSMessageFormat{Action: actionRefresh}}},
			`{"channel":"c","formats":{"ws-message":{"action":"refresh"}}}`},
		{"explicit send is the default", Item{Channel: "c", Formats: Formats{WSMessage: &WSMessageFormat{Type: WSTypeText, Content: []byte("x"), Action: actionSend}}},
			`{"channel":"c","formats":{"ws-message":{"content":"x"}}}`},
		{"stream text", streamContent("s", []byte("data: 1\n\n")),
			`{"channel":"s","formats":{"http-stream":{"content":"data: 1\n\n"}}}`},
		{"stream binary", streamContent("s", []byte{0xff, 0x00}),
			`{"channel":"s","formats":{"http-stream":{"content-bin":"/wA="}}}`},
		{"stream empty", streamContent("s", nil),
			`{"channel":"s","formats":{"http-stream":{"content":""}}}`},
		{"stream close", streamClose("s"),
			`{"channel":"s","formats":{"http-stream":{"action":"close"}}}`},
		{"stream hint", Item{Channel: "s", Formats: Formats{HTTPStream: &HTTPStreamFormat{Action: actionHint}}},
			`{"channel":"s","formats":{"http-stream":{"action":"hint"}}}`},
		{"response with an empty body still has a body", responseBody("lp", 0, nil, nil),
			`{"channel":"lp","formats":{"http-response":{"body":""}}}`},
		{"response full", responseBody("lp", 201, http.Header{"Content-Type": {"application/json"}, "X-Multi": {"a", "b"}, "X-Empty": {}}, []byte(`{"n":1}`)),
			`{"channel":"lp","formats":{"http-response":{"code":201,"headers":{"Content-Type":"application/json","X-Multi":"a, b"},"body":"{\"n\":1}"}}}`},
		{"response reason", Item{Channel: "lp", Formats: Formats{HTTPResponse: &HTTPResponseFormat{Code: 404, Reason: "Gone Fishing", Body: []byte("no")}}},
			`{"channel":"lp","formats":{"http-response":{"code":404,"reason":"Gone Fishing","body":"no"}}}`},
		{"response binary body", responseBody("lp", 200, nil, []byte{0xc3, 0x28}),
			`{"channel":"lp","formats":{"http-response":{"code":200,"body-bin":"wyg="}}}`},
		{"response hint", Item{Channel: "lp", Formats: Formats{HTTPResponse: &HTTPResponseFormat{Action: actionHint}}},
			`{"channel":"lp","formats":{"http-response":{"action":"hint"}}}`},
		{"id, prev-id, meta sorted, no-seq", Item{Channel: "c", ID: "2", PrevID: "1", Meta: map[string]string{"z": "last", "a": "first", "m": "\"q\""}, NoSeq: true,
			Formats: Formats{WSMessage: &WSMessageFormat{Content: []byte("x")}}},
			`{"channel":"c","id":"2","prev-id":"1","meta":{"a":"first","m":"\"q\"","z":"last"},"no-seq":true,"formats":{"ws-message":{"content":"x"}}}`},
		{"all three formats in order", Item{Channel: "c", Formats: Formats{
			WSMessage:    &WSMessageFormat{Content: []byte("w")},
			HTTPStream:   &HTTPStreamFormat{Content: []byte("s")},
			HTTPResponse: &HTTPResponseFormat{Body: []byte("r")},
		}},
			`{"channel":"c","formats":{"http-response":{"body":"r"},"http-stream":{"content":"s"},"ws-message":{"content":"w"}}}`},
		{"backslash in channel escaped", wsText(`a\b`, "x"),
			`{"channel":"a\\b","formats":{"ws-message":{"content":"x"}}}`},
		{"invalid UTF-8 in id replaced", Item{Channel: "c", ID: "a\xffb", Formats: Formats{HTTPStream: &HTTPStreamFormat{}}},
			`{"channel":"c","id":"a\ufffdb","formats":{"http-stream":{"content":""}}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// MarshalJSON, not json.Marshal, which re-escapes <, > and &.
			got, err := tt.item.MarshalJSON()
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("JSON\n got %s\nwant %s", got, tt.want)
			}
			if !json.Valid(got) {
				t.Errorf("not valid JSON: %s", got)
			}
		})
	}
}

func TestItemJSONErrors(t *testing.T) {
	ws := func(f WSMessageFormat) Item { return Item{Channel: "c", Formats: Formats{WSMessage: &f}} }
	stream := func(f HTTPStreamFormat) Item { return Item{Channel: "c", Formats: Formats{HTTPStream: &f}} }
	resp := func(f HTTPResponseFormat) Item { return Item{Channel: "c", Formats: Formats{HTTPResponse: &f}} }
	tests := []struct {
		name    string
		item    Item
		problem string
	}{
		{"no format", Item{Channel: "c"}, "no format"},
		{"empty channel", wsText("", "x"), "empty"},
		{"bad channel", wsText("a,b", "x"), "separates"},
		{"empty meta key", Item{Channel: "c", Meta: map[string]string{"": "x"}, Formats: Formats{WSMessage: &WSMessageFormat{}}}, "empty key"},
		{"invalid text", wsText("c", "\xff"), "not valid UTF-8"},
		{"unknown ws type", ws(WSMessageFormat{Type: "json"}), "unknown ws-message type"},
		{"long ping", ws(WSMessageFormat{Type: WSTypePing, Content: make([]byte, 126)}), "at most 125"},
		{"close code 0 sent explicitly is 1000, 1005 is not", wsClose("c", 1005, ""), "cannot be sent"},
		{"close code too big", wsClose("c", 5000, ""), "cannot be sent"},
		{"close code 999", wsClose("c", 999, ""), "cannot be sent"},
		{"close reason too long", wsClose("c", 1000, strings.Repeat("x", 124)), "at most 123"},
		{"close reason invalid", wsClose("c", 1000, "\xff"), "UTF-8"},
		{"close with content", ws(WSMessageFormat{Close: true, Content: []byte("x")}), "two items"},
		{"code without close", ws(WSMessageFormat{Code: 1000, Content: []byte("x")}), "only for a close"},
		{"refresh with content", ws(WSMessageFormat{Action: actionRefresh, Content: []byte("x")}), "two items"},
		{"unknown action", ws(WSMessageFormat{Action: "explode"}), "unknown action"},
		{"close flag with other action", ws(WSMessageFormat{Close: true, Action: actionHint}), "set one"},
		{"stream close with content", stream(HTTPStreamFormat{Close: true, Content: []byte("x")}), "two items"},
		{"stream bad action", stream(HTTPStreamFormat{Action: "x"}), "unknown action"},
		{"response bad action", resp(HTTPResponseFormat{Action: "x"}), "unknown action"},
		{"response hint with body", resp(HTTPResponseFormat{Action: actionHint, Body: []byte("x")}), "two items"},
		{"response bad code", resp(HTTPResponseFormat{Code: 99}), "status code"},
		{"response reason CRLF", resp(HTTPResponseFormat{Code: 200, Reason: "OK\r\nX: y"}), "CR, LF"},
		{"response header value CRLF", resp(HTTPResponseFormat{Header: http.Header{"X": {"a\r\nb"}}}), "CR, LF"},
		{"response header name", resp(HTTPResponseFormat{Header: http.Header{"Bad Name": {"a"}}}), "token"},
		{"response two cookies", resp(HTTPResponseFormat{Header: http.Header{"Set-Cookie": {"a=1", "b=2"}}}), "Set-Cookie"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := json.Marshal(tt.item)
			if err == nil {
				t.Fatal("no error")
			}
			if !errors.Is(err, errInvalidItem) {
				t.Errorf("errors.Is(err, errInvalidItem) = false: %v", err)
			}
			if !strings.Contains(err.Error(), tt.problem) {
				t.Errorf("error %q does not mention %q", err, tt.problem)
			}
		})
	}
}

// Formats encode only inside an Item; each format alone as the proxies expect it.
func TestFormatsJSON(t *testing.T) {
	tests := []struct {
		name    string
		formats Formats
		want    string
	}{
		{"response", Formats{HTTPResponse: &HTTPResponseFormat{Body: []byte("b")}}, `{"http-response":{"body":"b"}}`},
		{"stream", Formats{HTTPStream: &HTTPStreamFormat{Close: true}}, `{"http-stream":{"action":"close"}}`},
		{"ws", Formats{WSMessage: &WSMessageFormat{Content: []byte("t")}}, `{"ws-message":{"content":"t"}}`},
	}
	for _, tt := range tests {
		got, err := tt.formats.appendJSON(nil)
		if err != nil || string(got) != tt.want {
			t.Errorf("%s: %s, %v; want %s", tt.name, got, err, tt.want)
		}
	}
	if _, err := (&Formats{}).appendJSON(nil); err == nil {
		t.Error("empty Formats encoded without error")
	}
}

func TestPublishBody(t *testing.T) {
	items := []Item{wsText("a", "1"), streamContent("b", []byte("2")), responseBody("c", 0, nil, []byte("3"))}
	body, err := publishBody("p-", items)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"items":[{"channel":"p-a","formats":{"ws-message":{"content":"1"}}},` +
		`{"channel":"p-b","formats":{"http-stream":{"content":"2"}}},` +
		`{"channel":"p-c","formats":{"http-response":{"body":"3"}}}]}`
	if string(body) != want {
		t.Errorf("body\n got %s\nwant %s", body, want)
	}

	_, err = publishBody("", []Item{wsText("ok", "x"), wsText("bad channel", "x")})
	var itemErr *ItemError
	if !errors.As(err, &itemErr) || itemErr.Index != 1 || !errors.Is(err, ErrInvalidChannel) {
		t.Errorf("err = %v, want an *ItemError for index 1 wrapping ErrInvalidChannel", err)
	}
	if !strings.Contains(err.Error(), "invalid publish item 1") {
		t.Errorf("Error() = %q", err)
	}

	// The prefix counts towards the length limit.
	if _, err := publishBody(strings.Repeat("p", 200), []Item{wsText(strings.Repeat("c", 57), "x")}); !errors.Is(err, ErrInvalidChannel) {
		t.Errorf("257-byte prefixed channel: err = %v", err)
	}
	// A prefix with a bad character is refused even when built by hand.
	if _, err := publishBody("a b", []Item{wsText("c", "x")}); !errors.Is(err, ErrInvalidChannel) {
		t.Errorf("bad prefix: err = %v", err)
	}
}

// TestPublishBodyRoundTrip decodes the hand-written JSON with encoding/json,
// for inputs the vectors do not cover (many headers, big binary content).
func TestPublishBodyRoundTrip(t *testing.T) {
	header := http.Header{}
	for _, c := range "ABCDEFGHIJKLMNOPQRSTUVWXYZ" {
		header.Set("X-"+string(c), strings.Repeat(string(c), 3))
	}
	bin := make([]byte, 3000)
	for i := range bin {
		bin[i] = byte(i)
	}
	body, err := publishBody("", []Item{responseBody("c", 200, header, bin), wsBinary("c", bin)})
	if err != nil {
		t.Fatal(err)
	}
	var decoded struct {
		Items []struct {
			Formats struct {
				HTTPResponse struct {
					Headers map[string]string `json:"headers"`
					BodyBin []byte            `json:"body-bin"`
				} `json:"http-response"`
				WSMessage struct {
					ContentBin []byte `json:"content-bin"`
				} `json:"ws-message"`
			} `json:"formats"`
		} `json:"items"`
	}
	if err := json.Unmarshal(body, &decoded); err != nil {
		t.Fatal(err)
	}
	got := decoded.Items[0].Formats
	if len(got.HTTPResponse.Headers) != 26 || got.HTTPResponse.Headers["X-Q"] != "QQQ" {
		t.Errorf("headers = %v", got.HTTPResponse.Headers)
	}
	if string(got.HTTPResponse.BodyBin) != string(bin) || string(decoded.Items[1].Formats.WSMessage.ContentBin) != string(bin) {
		t.Error("binary content did not round-trip")
	}
}

func TestValidChannel(t *testing.T) {
	valid := []string{"room", "a", "user:42/inbox", "ünïcode", "a=b", `back\slash`, strings.Repeat("x", 256), "\uFFFD"}
	for _, name := range valid {
		if err := ValidChannel(name); err != nil {
			t.Errorf("ValidChannel(%q) = %v", name, err)
		}
	}
	invalid := map[string]string{
		"":                            "empty",
		strings.Repeat("x", 257):      "longer",
		"a b":                         "space",
		"a\tb":                        "control",
		"a\nb":                        "control",
		"a\x00b":                      "control",
		"a\x7fb":                      "control",
		"a\u00a0b":                    "space",
		"a,b":                         "','",
		"a;b":                         "';'",
		`a"b`:                         `'"'`,
		"a\xffb":                      "UTF-8",
		strings.Repeat("é", 40):       "", // 80 bytes: valid
		strings.Repeat("é", 129):      "longer",
		"\xe2\x80":                    "UTF-8",
		strings.Repeat("y", 70) + ",": "',' at byte 70 is not allowed",
	}
	for name, problem := range invalid {
		err := ValidChannel(name)
		if problem == "" {
			if err != nil {
				t.Errorf("ValidChannel(%q) = %v", name, err)
			}
			continue
		}
		if !errors.Is(err, ErrInvalidChannel) || !strings.Contains(err.Error(), problem) {
			t.Errorf("ValidChannel(%q) = %v, want ErrInvalidChannel mentioning %q", name, err, problem)
		}
	}
	// Long names are cut in the message.
	if err := ValidChannel(strings.Repeat("é", 200)); !strings.Contains(err.Error(), `..."`) && !strings.Contains(err.Error(), `"...`) {
		t.Errorf("long name not shortened: %v", err)
	}
}
