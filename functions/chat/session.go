package main

import (
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/faas-grip/faas-grip-go/internal/grip/ws"
)

// closePolicyViolation is RFC 6455's close code for a client the server
// will no longer serve by its rules.
const closePolicyViolation = 1008

// session is one request's view of a connection: who the sender is, what
// they may still send, and what is to be broadcast.
type session struct {
	conn   *ws.Context
	limits Limits
	now    time.Time
	user   *user  // who the token says sends; nil with tokens off
	nick   string // the name messages go out under

	bucket     tokenBucket
	bucketRead bool // bucket holds the meta's value (read on the first message)
	limited    int  // messages dropped for the rate limit, for the log

	since    func(lastID string) // answers /since to this connection
	outgoing []outgoing          // to broadcast, in order
}

// accept applies the chat's rules to one client message. It answers the
// client itself (a nick change, a notice) and returns the text to broadcast,
// if any. Every message costs a token, whatever it is, so that neither
// commands nor junk escape the rate limit.
func (s *session) accept(msg ws.Message) (text string, broadcast bool) {
	if !s.takeToken() {
		return "", false
	}
	if msg.Type == ws.BinaryMessage {
		s.notice(noticeBadMessage, "binary messages are not supported")
		return "", false
	}
	if !utf8.Valid(msg.Data) {
		s.notice(noticeBadMessage, "messages must be valid UTF-8")
		return "", false
	}
	if len(msg.Data) > s.limits.MaxMessageBytes {
		s.notice(noticeTooLarge, "your message was not sent: messages are limited to "+
			strconv.Itoa(s.limits.MaxMessageBytes)+" bytes")
		return "", false
	}
	text = string(msg.Data)
	if name, isNick := parseNickCommand(text); isNick {
		if s.user != nil {
			s.notice(noticeNickLocked, "your name comes from your sign-in: you are "+s.user.name)
			return "", false
		}
		s.changeNick(name)
		return "", false
	}
	if lastID, isSince := parseSinceCommand(text); isSince {
		s.since(lastID)
		return "", false
	}
	if !visible(text) {
		return "", false // nothing to show anyone, nothing to tell
	}
	return text, true
}

func (s *session) changeNick(name string) {
	if err := validateNick(name); err != nil {
		s.notice(noticeBadNick, err.Error())
		return
	}
	if err := s.conn.SetMeta(nickMeta, nickToMeta(name)); err != nil {
		s.notice(noticeBadNick, "cannot set that nick")
		return
	}
	s.nick = name
	s.notice(noticeNickChanged, "you are now known as "+name)
}

// tokenExpired ends the connection if its token has expired: a last
// notice, then a close. A message costs nothing before this check: the
// connection is over anyway.
func (s *session) tokenExpired() bool {
	if s.user == nil || !s.user.expired(s.now) {
		return false
	}
	endConnection(s.conn, noticeTokenExpired, "your sign-in expired: sign in again to keep chatting")
	return true
}

// endConnection tells the client why in a notice of code, then closes the
// connection with 1008 (policy violation) and code as the reason.
func endConnection(conn *ws.Context, code, text string) {
	conn.Send(noticeFrame(code, text))
	conn.Close(closePolicyViolation, code)
}

// takeToken spends one token of the connection's bucket. Over the limit, the
// sender is told once; later drops stay silent until a message gets through.
func (s *session) takeToken() bool {
	if !s.bucketRead {
		s.bucket = bucketFromMeta(s.conn.Meta(rateMeta), s.now, s.limits)
		s.bucketRead = true
	}
	if s.bucket.take(s.now, s.limits) {
		return true
	}
	s.limited++
	if !s.bucket.told {
		s.bucket.told = true
		s.notice(noticeRateLimited, "you are sending too fast: the chat takes "+rateText(s.limits)+
			"; messages over it are dropped")
	}
	return false
}

// saveBucket binds the bucket for the connection's next request, if this
// one spent from it. The proxy sends one request at a time per connection
// and batches what arrives meanwhile, so invocations do not race on it; were
// two ever to, each would spend from the same bucket: at worst twice the
// limit, never unlimited.
func (s *session) saveBucket() {
	if s.bucketRead {
		// The value is digits and commas: SetMeta cannot refuse it.
		_ = s.conn.SetMeta(rateMeta, s.bucket.meta())
	}
}

func (s *session) notice(code, text string) { s.conn.Send(noticeFrame(code, text)) }

// rateText says the limit in words: "10 messages a second, bursts of 20".
func rateText(l Limits) string {
	rate := strconv.FormatFloat(l.MessagesPerSecond, 'f', -1, 64)
	unit := " messages a second"
	if rate == "1" {
		unit = " message a second"
	}
	return rate + unit + ", bursts of " + strconv.Itoa(l.Burst)
}
