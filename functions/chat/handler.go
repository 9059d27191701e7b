package main

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/faas-grip/faas-grip-go/internal/clienttoken"
	"github.com/faas-grip/faas-grip-go/internal/emf"
	"github.com/faas-grip/faas-grip-go/internal/grip"
	"github.com/faas-grip/faas-grip-go/internal/grip/apigw"
	"github.com/faas-grip/faas-grip-go/internal/grip/ws"
	"github.com/faas-grip/faas-grip-go/internal/history"
)

// publishBudget bounds the broadcast: a proxy that does not answer must cost
// the sender an error message, not the whole invocation (Lambda would kill
// it at its timeout and the proxy would drop the connection).
const publishBudget = 3 * time.Second

// Publisher is the part of *grip.Publisher the handler needs; tests record calls.
type Publisher interface {
	Publish(ctx context.Context, items ...grip.Item) error
	// PublishExcept publishes to every endpoint but those whose IDs are in skip.
	PublishExcept(ctx context.Context, skip []string, items ...grip.Item) error
}

// Handler serves the chat page and the chat's WebSocket-over-HTTP requests.
type Handler struct {
	Grip      grip.Config // the channel prefix
	Publisher Publisher
	Channel   string // every client is subscribed to it
	// Tokens, when not nil, admits only clients whose token grants Channel
	// and names them by it (see identity.go); nil: anyone, named by /nick.
	Tokens *clienttoken.Verifier
	// History, when not nil, numbers every broadcast in Channel's history
	// (the store the publish function appends to) and lets clients resume
	// (see replay.go); nil: messages go out without ids, as before.
	History history.Store
	Logger  *slog.Logger
	Limits  Limits           // per connection; zero fields are the defaults
	Now     func() time.Time // the rate limit's clock; nil is time.Now

	Metrics *emf.Writer // the edge's (metrics.go); nil writes none
}

func (h *Handler) limits() Limits { return h.Limits.withDefaults() }

func (h *Handler) now() time.Time {
	if h.Now != nil {
		return h.Now()
	}
	return time.Now()
}

// Handle answers one request; the edge has checked its Grip-Sig.
func (h *Handler) Handle(ctx context.Context, r *apigw.Request) (*apigw.Response, error) {
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		return pageResponse(), nil
	case http.MethodPost:
		return h.webSocket(ctx, r), nil
	default:
		return apigw.Error(http.StatusMethodNotAllowed, "use GET for the chat page or connect a WebSocket through the GRIP proxy"), nil
	}
}

func (h *Handler) webSocket(ctx context.Context, r *apigw.Request) *apigw.Response {
	// A lazily made logger: most invocations log nothing, and With formats
	// its attributes up front (a third of the handler's time when eager).
	var logger *slog.Logger
	log := func() *slog.Logger {
		if logger == nil {
			logger = h.Logger.With("request_id", r.RequestID)
		}
		return logger
	}
	conn, err := ws.FromRequest(r, h.Grip)
	if err != nil {
		log().WarnContext(ctx, "bad WebSocket-over-HTTP request", "error", err)
		return apigw.Error(http.StatusBadRequest, err.Error())
	}
	connLog := func() *slog.Logger { return log().With("connection_id", conn.ID()) }
	var counts requestCounts // this request's metrics line, written on return
	defer h.emitMetrics(ctx, conn, &counts)

	who, refused := h.identify(ctx, r, conn)
	if refused != nil {
		return refuse(ctx, conn, refused, connLog())
	}
	replay := &replayer{store: h.History, channel: h.Channel, conn: conn, log: connLog}
	if conn.IsOpening() {
		conn.Accept()
		counts.opened = true
		conn.Subscribe(h.Channel)
		replay.open(ctx, r.Query.Get("last_id"), welcomeText(who))
		connLog().InfoContext(ctx, "connection opened")
	}

	s := session{
		conn:   conn,
		limits: h.limits(),
		now:    h.now(),
		user:   who,
		nick:   nickFromMeta(conn.Meta(nickMeta)),
		since:  func(lastID string) { replay.since(ctx, lastID) },
	}
	if who != nil {
		s.nick = who.name
	}
recv:
	for conn.CanRecv() {
		msg, err := conn.Recv()
		if err != nil {
			break
		}
		switch msg.Type {
		case ws.TextMessage, ws.BinaryMessage:
			if s.tokenExpired() {
				connLog().InfoContext(ctx, "token expired; closing")
				break recv // nothing more from this connection is broadcast
			}
			if text, ok := s.accept(msg); ok {
				s.outgoing = append(s.outgoing, outgoing{from: s.nick, text: text})
			}
		case ws.CloseMessage:
			conn.Close(msg.Code, "")
			connLog().InfoContext(ctx, "client closed", "code", msg.Code)
		case ws.DisconnectMessage:
			connLog().InfoContext(ctx, "client disconnected")
		}
	}
	if s.limited > 0 {
		connLog().InfoContext(ctx, "rate limited", "dropped", s.limited)
	}
	s.saveBucket()
	counts.limited = s.limited

	if len(s.outgoing) > 0 {
		counts.published = h.deliver(ctx, conn, connLog(), s.outgoing)
	}
	return conn.Response()
}

// welcomeText greets a new connection by the name it will speak with.
func welcomeText(who *user) string {
	if who != nil {
		return "welcome! you are " + who.name
	}
	return "welcome! you are " + defaultNick + "; type /nick <name> to change it"
}
