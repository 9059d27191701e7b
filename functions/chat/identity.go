package main

import (
	"context"
	"log/slog"
	"strconv"
	"time"

	"github.com/faas-grip/faas-grip-go/internal/clienttoken"
	"github.com/faas-grip/faas-grip-go/internal/grip/apigw"
	"github.com/faas-grip/faas-grip-go/internal/grip/ws"
)

// With client tokens on, a connection speaks as the user its token names,
// checked once at OPEN and bound to the connection's meta for the requests
// that follow. Every request carries the token again (Pushpin repeats the
// handshake's URI and headers), so verifying it each time would also work;
// the binding costs nothing per message where an RS256 or ES256 check costs
// about as much again as the rest of the invocation, and it lets the chat
// judge expiry by its own clock, with Claims.Expired's leeway. The meta is
// as trustworthy as the nick and the rate limit's bucket already are: only
// values the chat set with Set-Meta come back as Meta-* headers, since the
// proxy drops the Meta-* a client sends in its handshake (tools/e2e checks
// it) and Grip-Sig proves each request came through the proxy.
const (
	userMeta        = "chat-user"      // the display name, percent-encoded like the nick
	tokenExpiryMeta = "chat-token-exp" // the token's exp, in Unix seconds
	// maxUserNameLen bounds a display name from a token: longer than a nick,
	// since names from an identity provider are real names.
	maxUserNameLen = 64
)

// user is who a connection's token says it is.
type user struct {
	name   string    // the token's name, else its sub
	expiry time.Time // exp: the connection closes at its first message after it
}

// userFromClaims takes the display name from the token's name claim (which
// Claims.Name already falls back to sub for), unless it would not show as
// a name: then sub, the provider's id for the user.
func userFromClaims(c *clienttoken.Claims) *user {
	name := c.Name
	if !validName(name, maxUserNameLen) {
		name = c.Subject
	}
	return &user{name: name, expiry: c.Expiry}
}

// expired uses Claims.Expired, so the connection ends the moment the token
// would first be refused.
func (u *user) expired(now time.Time) bool {
	return (&clienttoken.Claims{Expiry: u.expiry}).Expired(now)
}

// bind keeps u in the connection's meta for its later requests. Both values
// are header-safe (percent-encoded, digits): SetMeta cannot refuse them.
func (u *user) bind(conn *ws.Context) {
	_ = conn.SetMeta(userMeta, nickToMeta(u.name))
	_ = conn.SetMeta(tokenExpiryMeta, strconv.FormatInt(u.expiry.Unix(), 10))
}

// boundUser is the user bound at OPEN, or false when the connection has no
// such binding (it opened while tokens were off).
func boundUser(conn *ws.Context) (*user, bool) {
	exp, err := strconv.ParseInt(conn.Meta(tokenExpiryMeta), 10, 64)
	if err != nil {
		return nil, false
	}
	name := fromMeta(conn.Meta(userMeta))
	if name == "" {
		return nil, false
	}
	return &user{name: name, expiry: time.Unix(exp, 0)}, true
}

// identify says who sends on this request: nil with tokens off (the nick
// names the sender then). At OPEN the token must verify and grant the
// chat's channel; later the user bound at OPEN is used, and only a
// connection without one (opened before tokens were turned on) has its
// token checked, and bound, now.
func (h *Handler) identify(ctx context.Context, r *apigw.Request, conn *ws.Context) (*user, *clienttoken.Refusal) {
	if h.Tokens == nil {
		return nil, nil
	}
	if !conn.IsOpening() {
		if u, ok := boundUser(conn); ok {
			return u, nil
		}
	}
	claims, refused := h.Tokens.Authorize(ctx, r.Header, r.Query, h.Channel)
	if refused != nil {
		return nil, refused
	}
	u := userFromClaims(claims)
	u.bind(conn)
	return u, nil
}

// refuse answers a request whose token identify refused. At OPEN it is the
// refusal's own answer (400, 401 or 403 with its challenge): the proxy fails
// the client's handshake with that status, so the connection never joins
// the room. On an open connection (one without a bound user), a notice
// saying why, then a close.
func refuse(ctx context.Context, conn *ws.Context, refused *clienttoken.Refusal, log *slog.Logger) *apigw.Response {
	if conn.IsOpening() {
		log.WarnContext(ctx, "token refused", "status", refused.Status, "reason", refused.Reason)
		return refused.Response()
	}
	log.WarnContext(ctx, "token refused; closing", "status", refused.Status, "reason", refused.Reason)
	endConnection(conn, noticeTokenRefused, refused.Message)
	return conn.Response()
}
