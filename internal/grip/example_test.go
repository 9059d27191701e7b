package grip_test

import (
	"context"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"time"

	"github.com/faas-grip/faas-grip-go/internal/grip"
)

// The kinds of GRIP_URL. An Endpoint prints without its key or password.
func ExampleParseConfig_kinds() {
	for _, raw := range []string{
		"http://localhost:5561", // Pushpin
		"https://api.fanout.io/realm/myrealm?iss=myrealm&key=base64:c2VjcmV0+w==",              // legacy Fanout Cloud
		"https://api.fastly.com/service/SID?key=my-api-token",                                  // Fastly Fanout
		"https://bob:secret@proxy.example/grip/?tenant=7&verify-iss=pushpin&verify-key=s3cr3t", // Basic auth, kept parameter
	} {
		cfg, err := grip.ParseConfig(raw, "")
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Println(cfg.Endpoints[0])
	}
	// Output:
	// http://localhost:5561 (auth=none)
	// https://api.fanout.io/realm/myrealm (auth=jwt iss=myrealm key=redacted)
	// https://api.fastly.com/service/SID (auth=bearer key=redacted)
	// https://proxy.example/grip?tenant=7 (auth=basic user=bob password=redacted verify-iss=pushpin verify-key=set)
}

// A bad GRIP_URL names the problem, never the key.
func ExampleParseConfig_error() {
	_, err := grip.ParseConfig("https://api.fanout.io/realm/r?iss=r&key=base64:not*base64", "")
	fmt.Println(err)
	// Output:
	// grip: invalid GRIP_URL "https://api.fanout.io/realm/r": key=base64:... is not valid base64: check it was copied whole
}

// Several endpoints in one GRIP_URL: every publish goes to all of them.
func ExampleParseConfig() {
	cfg, err := grip.ParseConfig("http://localhost:5561, https://api.fastly.com/service/SID?key=token", "chat-")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, ep := range cfg.Endpoints {
		fmt.Println(ep.ControlURI)
	}
	fmt.Println(cfg.Channel("lobby"))
	// Output:
	// http://localhost:5561
	// https://api.fastly.com/service/SID
	// chat-lobby
}

// Publish sends all items in one request per endpoint. One item can carry
// a format for each kind of subscriber: each gets the one for its connection.
func ExamplePublisher_Publish() {
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		fmt.Println(r.Method, r.URL.Path, r.Header.Get("Content-Type"))
		fmt.Println(string(body))
	}))
	defer proxy.Close()

	cfg, err := grip.ParseConfig(proxy.URL, "chat-")
	if err != nil {
		fmt.Println(err)
		return
	}
	publisher := grip.NewPublisher(cfg)

	// In a Lambda handler, use the invocation's context: its deadline bounds
	// the publish and its retries.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err = publisher.Publish(ctx,
		grip.Item{Channel: "lobby", ID: "7", Formats: grip.Formats{
			WSMessage:    &grip.WSMessageFormat{Content: []byte("hello")},
			HTTPStream:   &grip.HTTPStreamFormat{Content: []byte("data: hello\n\n")},
			HTTPResponse: &grip.HTTPResponseFormat{Header: http.Header{"Content-Type": {"text/plain"}}, Body: []byte("hello")},
		}},
		grip.Item{Channel: "lobby", Formats: grip.Formats{WSMessage: &grip.WSMessageFormat{Close: true, Reason: "bye"}}},
	)
	fmt.Println("error:", err)
	// Output:
	// POST /publish/ application/json
	// {"items":[{"channel":"chat-lobby","id":"7","formats":{"http-response":{"headers":{"Content-Type":"text/plain"},"body":"hello"},"http-stream":{"content":"data: hello\n\n"},"ws-message":{"content":"hello"}}},{"channel":"chat-lobby","formats":{"ws-message":{"action":"close","code":1000,"reason":"bye"}}}]}
	// error: <nil>
}

// A streaming response: the proxy sends this body at once, keeps the
// connection open, and adds every item published to "news".
func ExampleHold_Apply() {
	header := http.Header{"Content-Type": {"text/event-stream"}}
	hold := grip.Hold{
		Mode:      grip.HoldStream,
		Channels:  []grip.Channel{{Name: "news"}},
		KeepAlive: &grip.KeepAlive{Data: []byte(":\n\n"), Timeout: 20 * time.Second},
	}
	if err := hold.Apply(header, grip.Config{Prefix: "chat-"}); err != nil {
		fmt.Println(err)
		return
	}
	printHeader(header)
	// Output:
	// Content-Type: text/event-stream
	// Grip-Channel: chat-news
	// Grip-Hold: stream
	// Grip-Keep-Alive: :\n\n; format=cstring; timeout=20
}

// A long-poll that resumes after the last item the client saw.
func ExampleHold_Apply_longPoll() {
	header := http.Header{}
	hold := grip.Hold{
		Channels: []grip.Channel{{Name: "inbox", PrevID: "41"}},
		Timeout:  25 * time.Second,
	}
	if err := hold.Apply(header, grip.Config{}); err != nil {
		fmt.Println(err)
		return
	}
	printHeader(header)
	// Output:
	// Grip-Channel: inbox; prev-id=41
	// Grip-Hold: response
	// Grip-Timeout: 25
}

// A stream the proxy hands back to the origin: after 120s it requests the
// next link (to resume from the last id, say), and it requests the gone
// link when the client leaves.
func ExampleHold_Apply_links() {
	header := http.Header{}
	hold := grip.Hold{
		Mode:     grip.HoldStream,
		Channels: []grip.Channel{{Name: "news", PrevID: "41"}},
		Links: []grip.Link{
			{URI: "/stream?last-id=41", Rel: grip.LinkNext, Timeout: 120 * time.Second},
			{URI: "/left?client=7", Rel: grip.LinkGone},
		},
	}
	if err := hold.Apply(header, grip.Config{}); err != nil {
		fmt.Println(err)
		return
	}
	printHeader(header)
	// Output:
	// Grip-Channel: news; prev-id=41
	// Grip-Hold: stream
	// Grip-Link: </stream?last-id=41>; rel=next; timeout=120
	// Grip-Link: </left?client=7>; rel=gone
}

// ValidChannel checks channel names that come from users.
func ExampleValidChannel() {
	for _, name := range []string{"room-1", "room 1"} {
		fmt.Println(name, "->", grip.ValidChannel(name))
	}
	// Output:
	// room-1 -> <nil>
	// room 1 -> grip: invalid channel name "room 1": space character U+0020 at byte 4 is not allowed
}

// The proxy tells a re-requested long-poll what the client last received.
func ExampleParseGripLast() {
	header := http.Header{"Grip-Last": {"chat-inbox; last-id=41"}}
	last := grip.ParseGripLast(header)
	fmt.Println(last["chat-inbox"])
	// Output:
	// 41
}

// printHeader prints a header one line per value, names sorted.
func printHeader(header http.Header) {
	for _, name := range slices.Sorted(maps.Keys(header)) {
		for _, value := range header[name] {
			fmt.Printf("%s: %s\n", name, value)
		}
	}
}
