// Package feed is the one place that decides how a published text message looks
// on each transport, so the publish function and the functions that hold
// connections (chat, stream, long-poll) always agree.
//
// A message published to channel "news" becomes, in one publish request:
//   - on "news": a ws-message (a message Frame with the text and its id), an
//     http-stream chunk (the text and a newline) and an http-response (the
//     long-poll JSON body);
//   - on "news.sse": an http-stream chunk framed as a Server-Sent Event.
//
// SSE clients hold a channel of their own because one channel carries one
// http-stream content, and SSE framing differs from plain text.
package feed

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/faas-grip/faas-grip-go/internal/grip"
)

// SSESuffix marks the channel that Server-Sent Events clients hold.
const SSESuffix = ".sse"

// SSEChannel is the channel SSE clients of channel hold.
func SSEChannel(channel string) string { return channel + SSESuffix }

// ResponseHeader is the header of every text response the functions that
// hold connections send, published long-poll responses included: nosniff so
// a browser never runs a message as HTML or script, no-cache so nothing
// between the proxy and the client replays it.
func ResponseHeader(contentType string) http.Header {
	return http.Header{
		"Content-Type":           {contentType},
		"X-Content-Type-Options": {"nosniff"},
		"Cache-Control":          {"no-cache"},
	}
}

// Message is one entry of a channel's feed, as long-poll clients receive it.
type Message struct {
	ID   string `json:"id,omitempty"`
	Text string `json:"text"`
}

// Poll is the long-poll response body: the messages after the client's last id,
// and the id to pass next time.
type Poll struct {
	Channel  string    `json:"channel"`
	Messages []Message `json:"messages"`
	LastID   string    `json:"last_id,omitempty"`
	// Gap says some messages after the client's last id are no longer kept.
	Gap bool `json:"gap,omitempty"`
}

// PollBody encodes a Poll; an empty Messages is sent as [] rather than null.
func PollBody(p Poll) []byte {
	if p.Messages == nil {
		p.Messages = []Message{}
	}
	b, _ := json.Marshal(p) // cannot fail: strings and slices only
	return append(b, '\n')
}

// Items returns the items that deliver text to every kind of client of channel.
// id and prevID (may be empty) let long-poll clients resume without loss.
func Items(channel, text, id, prevID string) []grip.Item {
	plain := grip.Item{
		Channel: channel,
		ID:      id,
		PrevID:  prevID,
		Formats: grip.Formats{
			WSMessage:  &grip.WSMessageFormat{Content: MarshalFrame(Frame{Type: FrameMessage, ID: id, Text: text})},
			HTTPStream: &grip.HTTPStreamFormat{Content: []byte(text + "\n")},
			HTTPResponse: &grip.HTTPResponseFormat{
				Code:   http.StatusOK,
				Header: ResponseHeader("application/json"),
				Body:   PollBody(Poll{Channel: channel, Messages: []Message{{ID: id, Text: text}}, LastID: id}),
			},
		},
	}
	sse := grip.Item{
		Channel: SSEChannel(channel),
		ID:      id,
		PrevID:  prevID,
		Formats: grip.Formats{HTTPStream: &grip.HTTPStreamFormat{Content: SSEEvent(id, "message", text)}},
	}
	return []grip.Item{plain, sse}
}

// SSEEvent frames text as one Server-Sent Event; each line of text becomes a
// data: line, so multi-line messages survive.
func SSEEvent(id, event, text string) []byte {
	var b strings.Builder
	if id != "" {
		b.WriteString("id: " + id + "\n")
	}
	if event != "" {
		b.WriteString("event: " + event + "\n")
	}
	// SSE ends a line at CRLF, LF or a lone CR: split on all three, or a CR in
	// the text would let it forge "id:" or "event:" fields.
	text = strings.ReplaceAll(strings.ReplaceAll(text, "\r\n", "\n"), "\r", "\n")
	for _, line := range strings.Split(text, "\n") {
		b.WriteString("data: " + line + "\n")
	}
	b.WriteString("\n")
	return []byte(b.String())
}
