package main

import (
	"github.com/faas-grip/faas-grip-go/internal/feed"
	"github.com/faas-grip/faas-grip-go/internal/grip"
)

// Every message the chat sends is a feed.Frame, the one WebSocket format the
// publish function uses too: a "type" that says who speaks, and only string
// values a user controls, so no user can send a frame of type "notice" (the
// page styles by type, never by text).
type frame = feed.Frame

const (
	frameMessage = feed.FrameMessage
	frameNotice  = feed.FrameNotice
)

// Notice codes: one per reason the server speaks to a client.
const (
	noticeWelcome      = "welcome" // last_id: where the client is in the history
	noticeNickChanged  = "nick-changed"
	noticeBadNick      = "bad-nick"
	noticeBadMessage   = "bad-message" // not valid UTF-8, or binary
	noticeTooLarge     = "too-large"
	noticeRateLimited  = "rate-limited"
	noticeNotDelivered = "not-delivered"
	noticeNickLocked   = "nick-locked"   // tokens on: the name is the token's
	noticeTokenExpired = "token-expired" // then the chat closes the connection
	noticeTokenRefused = "token-refused" // a connection without a bound user whose token fails

	// Resuming (history on; see replay.go).
	noticeHistoryGap         = "history-gap"         // last_id: messages up to it are no longer kept
	noticeMore               = "more"                // the replay stopped at a bound: send /since <last id> again
	noticeBadLastID          = "bad-last-id"         // last_id or /since was not a message id
	noticeNoHistory          = "no-history"          // /since on a chat that keeps none
	noticeHistoryUnavailable = "history-unavailable" // the history could not be read: ask again later
	noticeDelayed            = "delayed"             // kept and numbered, but the proxy did not take it
)

// outgoing is a message a user sent, on its way to the room.
type outgoing struct{ from, text string }

// messageItem is the broadcast of text from a user to channel, with its id
// in the history (id and prevID "" without one). The frame's bytes go into
// the item as they are: no copy through a string.
func messageItem(channel, id, prevID, from, text string) grip.Item {
	content := feed.MarshalFrame(frame{Type: frameMessage, ID: id, From: from, Text: text})
	return grip.Item{Channel: channel, ID: id, PrevID: prevID, Formats: grip.Formats{WSMessage: &grip.WSMessageFormat{Content: content}}}
}

func noticeFrame(code, text string) string {
	return string(feed.MarshalFrame(frame{Type: frameNotice, Code: code, Text: text}))
}

// positionNotice is a notice that also moves the client to lastID.
func positionNotice(code, text, lastID string) string {
	return string(feed.MarshalFrame(frame{Type: frameNotice, Code: code, Text: text, LastID: lastID}))
}
