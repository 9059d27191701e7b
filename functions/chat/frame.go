package main

import (
	"encoding/json"

	"github.com/faas-grip/faas-grip-go/internal/grip"
)

// Every message the chat sends is a JSON object built here, with a "type"
// that says who speaks:
//
//	{"type":"message","from":"alice","text":"hello"}        a user, broadcast
//	{"type":"notice","code":"rate-limited","text":"..."}     the server, to one client
//
// A user controls only the string values, which encoding/json escapes, so no
// user can send a frame of type "notice": the page styles by type, never by
// text. (Before, "/nick error" made a message read "error: ...", exactly like
// the server's own notices.)
type frame struct {
	Type string `json:"type"`
	Code string `json:"code,omitempty"` // notices only: what a program can switch on
	From string `json:"from,omitempty"` // messages only: the sender's nick
	Text string `json:"text"`
}

const (
	frameMessage = "message"
	frameNotice  = "notice"
)

// Notice codes: one per reason the server speaks to a client.
const (
	noticeWelcome      = "welcome"
	noticeNickChanged  = "nick-changed"
	noticeBadNick      = "bad-nick"
	noticeBadMessage   = "bad-message" // not valid UTF-8, or binary
	noticeTooLarge     = "too-large"
	noticeRateLimited  = "rate-limited"
	noticeNotDelivered = "not-delivered"
	noticeNickLocked   = "nick-locked"   // tokens on: the name is the token's
	noticeTokenExpired = "token-expired" // then the chat closes the connection
	noticeTokenRefused = "token-refused" // a connection without a bound user whose token fails
)

// messageItem is the broadcast of text from a user to channel. The frame's
// bytes go into the item as they are: no copy through a string.
func messageItem(channel, from, text string) grip.Item {
	content := marshalFrame(frame{Type: frameMessage, From: from, Text: text})
	return grip.Item{Channel: channel, Formats: grip.Formats{WSMessage: &grip.WSMessageFormat{Content: content}}}
}

func noticeFrame(code, text string) string {
	return string(marshalFrame(frame{Type: frameNotice, Code: code, Text: text}))
}

// marshalFrame cannot fail for a struct of strings; should it ever, the
// client gets an empty notice rather than a broken frame or a panic.
func marshalFrame(f frame) []byte {
	b, err := json.Marshal(f)
	if err != nil {
		return []byte(`{"type":"notice","text":""}`)
	}
	return b
}
