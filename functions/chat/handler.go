package main

import (
	"context"
	"log/slog"
	"net/http"
	"time"
	"unicode/utf8"

	"github.com/faas-grip/faas-grip-go/internal/grip"
	"github.com/faas-grip/faas-grip-go/internal/grip/apigw"
	"github.com/faas-grip/faas-grip-go/internal/grip/ws"
	"github.com/faas-grip/faas-grip-go/internal/lambdaenv"
)

// publishBudget bounds the broadcast: a proxy that does not answer must cost
// the sender an error message, not the whole invocation (Lambda would kill
// it at its timeout and the proxy would drop the connection).
const publishBudget = 3 * time.Second

// Publisher is the part of *grip.Publisher the handler needs; tests record calls.
type Publisher interface {
	Publish(ctx context.Context, items ...grip.Item) error
}

// Handler serves the chat page and the chat's WebSocket-over-HTTP requests.
type Handler struct {
	Env       *lambdaenv.Env // Grip-Sig verification and the channel prefix
	Publisher Publisher
	Channel   string // every client is subscribed to it
	Logger    *slog.Logger
}

// Handle is the function's entry point, for every front door apigw.Adapt knows.
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
	if refused := h.Env.Refuse(h.Logger, r.RequestID, r.Header); refused != nil {
		return refused
	}
	conn, err := ws.FromRequest(r, ws.Options{Prefix: h.Env.Grip.Prefix})
	if err != nil {
		log().Warn("bad WebSocket-over-HTTP request", "error", err)
		return apigw.Error(http.StatusBadRequest, err.Error())
	}
	connLog := func() *slog.Logger { return log().With("connection_id", conn.ID()) }

	if conn.IsOpening() {
		conn.Accept()
		conn.Subscribe(h.Channel)
		conn.Send("welcome! you are " + defaultNick + "; type /nick <name> to change it")
		connLog().Info("connection opened")
	}

	nick := nickFromMeta(conn.Meta(nickMeta))
	var broadcast []grip.Item
	for conn.CanRecv() {
		msg, err := conn.Recv()
		if err != nil {
			break
		}
		switch msg.Type {
		case ws.TextMessage:
			if !utf8.Valid(msg.Data) {
				conn.Send("error: messages must be valid UTF-8")
				continue
			}
			text := string(msg.Data)
			if name, isNick := parseNickCommand(text); isNick {
				if err := validateNick(name); err != nil {
					conn.Send("error: " + err.Error())
					continue
				}
				if err := conn.SetMeta(nickMeta, nickToMeta(name)); err != nil {
					conn.Send("error: cannot set that nick")
					continue
				}
				nick = name
				conn.Send("you are now known as " + name)
				continue
			}
			broadcast = append(broadcast, grip.WSText(h.Channel, nick+": "+text))
		case ws.BinaryMessage:
			conn.Send("error: binary messages are not supported")
		case ws.CloseMessage:
			conn.Close(msg.Code, "")
			connLog().Info("client closed", "code", msg.Code)
		case ws.DisconnectMessage:
			connLog().Info("client disconnected")
		}
	}

	// One publish for the whole batch: the proxy fans it out to every subscriber.
	if len(broadcast) > 0 {
		pctx, cancel := context.WithTimeout(ctx, publishBudget)
		defer cancel()
		if err := h.Publisher.Publish(pctx, broadcast...); err != nil {
			connLog().Error("publish failed", "messages", len(broadcast), "error", err)
			conn.Send("error: your message could not be delivered, please send it again")
		}
	}
	return conn.Response()
}
