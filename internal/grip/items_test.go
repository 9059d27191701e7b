package grip

import "net/http"

// Shorthands for the items the tests publish most.

// wsText is a text message to the WebSocket subscribers of channel.
func wsText(channel, text string) Item {
	return Item{Channel: channel, Formats: Formats{WSMessage: &WSMessageFormat{Content: []byte(text)}}}
}

// wsBinary is a binary message to the WebSocket subscribers of channel.
func wsBinary(channel string, data []byte) Item {
	return Item{Channel: channel, Formats: Formats{WSMessage: &WSMessageFormat{Type: WSTypeBinary, Content: data}}}
}

// wsClose closes the WebSocket connections subscribed to channel; code 0
// means 1000 (normal closure).
func wsClose(channel string, code int, reason string) Item {
	return Item{Channel: channel, Formats: Formats{WSMessage: &WSMessageFormat{Close: true, Code: code, Reason: reason}}}
}

// streamContent is a chunk of data for the HTTP streams held on channel.
func streamContent(channel string, content []byte) Item {
	return Item{Channel: channel, Formats: Formats{HTTPStream: &HTTPStreamFormat{Content: content}}}
}

// streamClose ends the HTTP streams held on channel.
func streamClose(channel string) Item {
	return Item{Channel: channel, Formats: Formats{HTTPStream: &HTTPStreamFormat{Close: true}}}
}

// responseBody is the response for the long-poll requests held on channel;
// code 0 means 200.
func responseBody(channel string, code int, header http.Header, body []byte) Item {
	return Item{Channel: channel, Formats: Formats{HTTPResponse: &HTTPResponseFormat{Code: code, Header: header, Body: body}}}
}
