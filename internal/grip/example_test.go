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

// The three kinds of GRIP_URL. String never shows a key or password.
func ExampleParseURL() {
	for _, raw := range []string{
		"http://localhost:5561", // Pushpin
		"https://api.fanout.io/realm/myrealm?iss=myrealm&key=base64:c2VjcmV0+w==",              // legacy Fanout Cloud
		"https://api.fastly.com/service/SID?key=my-api-token",                                  // Fastly Fanout
		"https://bob:secret@proxy.example/grip/?tenant=7&verify-iss=pushpin&verify-key=s3cr3t", // Basic auth, kept parameter
	} {
		ep, err := grip.ParseURL(raw)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Println(ep)
	}
	// Output:
	// http://localhost:5561 (auth=none)
	// https://api.fanout.io/realm/myrealm (auth=jwt iss=myrealm key=redacted)
	// https://api.fastly.com/service/SID (auth=bearer key=redacted)
	// https://proxy.example/grip?tenant=7 (auth=basic user=bob password=redacted verify-iss=pushpin verify-key=set)
}

// A bad GRIP_URL names the problem, never the key.
func ExampleParseURL_error() {
	_, err := grip.ParseURL("https://api.fanout.io/realm/r?iss=r&key=base64:not*base64")
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

// Publish sends all items in one request per endpoint.
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
		grip.WSText("lobby", "hello"),
		grip.StreamContent("lobby", []byte("data: hello\n\n")),
		grip.ResponseBody("lobby", 200, http.Header{"Content-Type": {"text/plain"}}, []byte("hello")),
	)
	fmt.Println("error:", err)
	// Output:
	// POST /publish/ application/json
	// {"items":[{"channel":"chat-lobby","formats":{"ws-message":{"content":"hello"}}},{"channel":"chat-lobby","formats":{"http-stream":{"content":"data: hello\n\n"}}},{"channel":"chat-lobby","formats":{"http-response":{"code":200,"headers":{"Content-Type":"text/plain"},"body":"hello"}}}]}
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
