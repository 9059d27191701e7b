package feed

import "testing"

func TestSSEEvent(t *testing.T) {
	tests := []struct{ id, event, text, want string }{
		{"7", "message", "hello", "id: 7\nevent: message\ndata: hello\n\n"},
		{"", "", "two\r\nlines\nhere", "data: two\ndata: lines\ndata: here\n\n"},
		{"", "open", "", "event: open\ndata: \n\n"},
		{"1", "", "hi\rid: 999\revent: admin", "id: 1\ndata: hi\ndata: id: 999\ndata: event: admin\n\n"},
	}
	for _, tc := range tests {
		if got := string(SSEEvent(tc.id, tc.event, tc.text)); got != tc.want {
			t.Errorf("SSEEvent(%q, %q, %q) = %q, want %q", tc.id, tc.event, tc.text, got, tc.want)
		}
	}
}

func TestPollBody(t *testing.T) {
	if got := string(PollBody(Poll{Channel: "news"})); got != `{"channel":"news","messages":[]}`+"\n" {
		t.Errorf("empty poll: %s", got)
	}
	got := string(PollBody(Poll{Channel: "news", Messages: []Message{{ID: "3", Text: "<b>&"}}, LastID: "3", Gap: true}))
	if want := `{"channel":"news","messages":[{"id":"3","text":"\u003cb\u003e\u0026"}],"last_id":"3","gap":true}` + "\n"; got != want {
		t.Errorf("got %s want %s", got, want)
	}
}

func TestItems(t *testing.T) {
	items := Items("news", "hi", "2", "1")
	if len(items) != 2 || items[0].Channel != "news" || items[1].Channel != "news.sse" {
		t.Fatalf("got %+v", items)
	}
	for _, it := range items {
		if it.ID != "2" || it.PrevID != "1" {
			t.Errorf("ids of %s: %q %q", it.Channel, it.ID, it.PrevID)
		}
	}
	f := items[0].Formats
	if h := f.HTTPResponse.Header; h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Cache-Control") != "no-cache" || h.Get("Content-Type") != "application/json" {
		t.Errorf("published long-poll response header %v", h)
	}
	// WebSocket clients get the chat's frame, so that no text passes for a notice.
	if string(f.WSMessage.Content) != `{"type":"message","id":"2","text":"hi"}` || string(f.HTTPStream.Content) != "hi\n" || f.HTTPResponse.Code != 200 {
		t.Errorf("formats %+v", f)
	}
}
