package feed

import (
	"encoding/json"

	"github.com/faas-grip/faas-grip-go/internal/history"
)

// Frame is what every WebSocket client receives: a JSON object whose "type"
// says who speaks.
//
//	{"type":"message","id":"42","from":"alice","text":"hello"}   a chat user
//	{"type":"message","id":"43","text":"deploy finished"}        the publish function
//	{"type":"notice","code":"rate-limited","text":"..."}         the chat, to one client
//
// A sender controls only string values, which encoding/json escapes, so no
// text can make a frame of type "notice": clients style by type, never by
// text. "id" is the message's id in the channel history (absent without
// one): ids are consecutive per channel, which is how a client notices a
// message it missed. Notices have no id and are never replayed.
type Frame struct {
	Type string `json:"type"`
	ID   string `json:"id,omitempty"`
	Code string `json:"code,omitempty"` // notices only: what a program can switch on
	From string `json:"from,omitempty"` // a chat user's messages only: the sender's name
	Text string `json:"text"`
	// LastID, on the notices that move a client in the history, is the id
	// it is at once it has the frames before the notice.
	LastID string `json:"last_id,omitempty"`
}

// Frame types.
const (
	FrameMessage = "message"
	FrameNotice  = "notice"
)

// MarshalFrame cannot fail for a struct of strings; should it ever, the
// client gets an empty notice rather than a broken frame.
func MarshalFrame(f Frame) []byte {
	b, err := json.Marshal(f)
	if err != nil {
		return []byte(`{"type":"notice","text":""}`)
	}
	return b
}

// chatEntryMark starts the history data of a chat user's message: a byte
// that no UTF-8 text contains. The publish function keeps only valid UTF-8,
// so no published text (which may carry what a user typed elsewhere) can
// pass for a chat user's message and choose its "from".
const chatEntryMark = 0xff

// chatEntry is what ChatEntryData keeps after the mark.
type chatEntry struct {
	From string `json:"from"`
	Text string `json:"text"`
}

// ChatEntryData is the history data of a message a chat user sent.
func ChatEntryData(from, text string) []byte {
	b, err := json.Marshal(chatEntry{From: from, Text: text})
	if err != nil {
		b = []byte(`{}`)
	}
	return append([]byte{chatEntryMark}, b...)
}

// EntryFrame is the message frame of a history entry: a chat user's message
// (ChatEntryData), or a text the publish function published, as the live
// frame of either was.
func EntryFrame(e history.Entry) Frame {
	if len(e.Data) > 0 && e.Data[0] == chatEntryMark {
		var c chatEntry
		if json.Unmarshal(e.Data[1:], &c) == nil {
			return Frame{Type: FrameMessage, ID: e.ID, From: c.From, Text: c.Text}
		}
	}
	return Frame{Type: FrameMessage, ID: e.ID, Text: string(e.Data)}
}
