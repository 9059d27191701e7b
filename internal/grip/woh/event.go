package woh

// ContentType is the exact media type of WebSocket-over-HTTP bodies. Pushpin
// fails the connection if anything (such as "; charset=utf-8") is appended.
const ContentType = "application/websocket-events"

// EventType names a WebSocket-over-HTTP event.
type EventType string

// The seven event types of the protocol.
const (
	Open       EventType = "OPEN"
	Text       EventType = "TEXT"
	Binary     EventType = "BINARY"
	Ping       EventType = "PING"
	Pong       EventType = "PONG"
	Close      EventType = "CLOSE"
	Disconnect EventType = "DISCONNECT"
)

// Event is one WebSocket-over-HTTP event.
//
// A nil Content means the event carried no content ("TEXT\r\n"); a non-nil
// empty Content is an empty message ("TEXT 0\r\n\r\n"). The two differ on the wire.
type Event struct {
	Type    EventType
	Content []byte
}
