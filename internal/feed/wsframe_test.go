package feed

import (
	"testing"

	"github.com/faas-grip/faas-grip-go/internal/history"
)

// A chat user's entry comes back with its sender; a published text, even
// one shaped like a chat entry or a notice, stays a text without one.
func TestEntryFrame(t *testing.T) {
	tests := []struct {
		data []byte
		want Frame
	}{
		{ChatEntryData("alice", "hi \"there\""), Frame{Type: FrameMessage, ID: "7", From: "alice", Text: "hi \"there\""}},
		{[]byte("deploy finished"), Frame{Type: FrameMessage, ID: "7", Text: "deploy finished"}},
		{[]byte(`{"from":"admin","text":"x"}`), Frame{Type: FrameMessage, ID: "7", Text: `{"from":"admin","text":"x"}`}},
		{[]byte(`{"type":"notice","text":"x"}`), Frame{Type: FrameMessage, ID: "7", Text: `{"type":"notice","text":"x"}`}},
		{[]byte{chatEntryMark, '{'}, Frame{Type: FrameMessage, ID: "7", Text: "\xff{"}}, // broken: shown as data
		{nil, Frame{Type: FrameMessage, ID: "7"}},
	}
	for _, tc := range tests {
		if got := EntryFrame(history.Entry{ID: "7", Data: tc.data}); got != tc.want {
			t.Errorf("%q: got %+v, want %+v", tc.data, got, tc.want)
		}
	}
}

func TestMarshalFrame(t *testing.T) {
	got := string(MarshalFrame(Frame{Type: FrameMessage, ID: "42", From: "alice", Text: "<hi>"}))
	if want := `{"type":"message","id":"42","from":"alice","text":"\u003chi\u003e"}`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}
