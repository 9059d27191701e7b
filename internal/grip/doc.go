// Package grip lets a Lambda function be the origin behind a GRIP proxy
// (Pushpin, or Fastly Fanout): it reads the proxy configuration, publishes
// messages to the proxy, and writes the hold instructions that turn a short
// HTTP response into a long-poll or a stream.
//
// The proxy holds the clients' long-lived connections; the function only
// answers short requests and publishes. Sub-packages handle the rest:
// woh (WebSocket-over-HTTP events), ws (a WebSocket connection as a
// handler sees it), sig (checking the proxy's Grip-Sig) and apigw (API
// Gateway and function URL events).
//
// # Configuration: GRIP_URL and GRIP_PREFIX
//
// GRIP_URL says where the proxy's control API is and how to authenticate.
// ParseConfig reads its value (package edge does so at cold start, from the
// environment or the secret). Each URL has one of these forms:
//
//	http://localhost:5561
//	    Pushpin on this machine: no authentication.
//	https://api.fastly.com/service/<SID>?key=<api-token>
//	    Fastly Fanout: the API token is sent as a Bearer token. Package sig
//	    checks Grip-Sig with Fastly's public key and issuer "fastly:<SID>"
//	    unless verify-key and verify-iss say otherwise. The path must be
//	    /service/<SID>: every Fastly service shares that key, so the issuer
//	    is what tells yours apart.
//	https://api.fanout.io/realm/<realm>?iss=<realm>&key=base64:<key>
//	    Legacy Fanout Cloud: each publish carries an HS256 JWT {iss, exp}
//	    signed with the key.
//	https://user:password@proxy.example/grip
//	    A proxy behind HTTP Basic authentication.
//
// The parameters iss, key, verify-iss and verify-key configure the library
// and are removed; any other query parameter stays on the control URI and
// is sent with every publish. Percent-encode '&', '#', '%' and spaces in a
// key or password. The error for a bad URL never contains the key or the
// password.
//
// To publish to several proxies at once (Pushpin while developing and
// Fastly in production, or two regions), list them in one GRIP_URL,
// separated by commas, spaces or newlines:
//
//	GRIP_URL="http://localhost:5561, https://api.fastly.com/service/SID?key=TOKEN"
//
// GRIP_PREFIX, when set, is put before every channel name, on publish, on
// Grip-Channel and on WebSocket subscriptions alike, so several deployments
// (stages, tenants) can share one proxy. Code always uses the short name;
// Config.Channel gives the full one.
//
// # Publishing
//
// Create one Publisher at cold start and reuse it: it keeps connections to
// the proxies open and reuses its publish token across invocations.
//
//	cfg, err := grip.ParseConfig(os.Getenv("GRIP_URL"), os.Getenv("GRIP_PREFIX"))
//	...
//	publisher := grip.NewPublisher(cfg)
//
//	// in the handler, with the invocation's context:
//	err = publisher.Publish(ctx, grip.Item{Channel: "room", Formats: grip.Formats{
//		WSMessage: &grip.WSMessageFormat{Content: []byte("hello")},
//	}})
//
// Publish sends all its items in one request per proxy and the proxies in
// parallel. Give it several items rather than calling it several times.
// An Item's Formats say what each kind of subscriber gets: WSMessage for
// WebSocket connections, HTTPStream for held streams, HTTPResponse for
// held long-polls; one item may carry all three. A format's Close (or its
// Action "close") ends the subscribers' connections instead; the actions
// "hint" and "refresh" make the proxy ask the origin again.
//
// The context's deadline bounds everything: a Lambda's context ends when
// the invocation times out. Network errors, 429 and 5xx answers are retried
// with exponential backoff and jitter while a retry can finish in time;
// other answers are final. The error is a *PublishError with the status
// and the start of the body the proxy sent, which usually says what is
// wrong.
//
// With several endpoints (GRIP_URL naming two proxies, say) each gets the
// items on its own, and the error is a *DeliveryError that names those
// that accepted them. Finish with PublishExcept, skipping those: publishing
// to every endpoint again would show the items twice to their clients.
// Publisher.EndpointIDs names the endpoints stably and without secrets,
// for records that outlive the process (see the publish function's
// delivery records).
//
// # Holding requests
//
// A handler answers a long-poll or streaming request with ordinary headers
// and body, plus a Hold:
//
//	hold := grip.Hold{Mode: grip.HoldStream, Channels: []grip.Channel{{Name: "news"}}}
//	if err := hold.Apply(resp.Header, cfg); err != nil { ... }
//
// For HoldResponse the proxy waits for an item published with an
// http-response format, or for Timeout, when it sends the handler's own
// response (typically an empty list). For HoldStream it sends the
// handler's response at once and then every http-stream item. Channel names
// from users must pass Config.CheckChannel. When a proxy re-requests a
// long-poll it says what the client last received: ParseGripLast reads it.
// Links make the proxy call the origin back: LinkGone when the client
// leaves; LinkNext for a stream's missed items. A stream channel with a
// PrevID needs a LinkNext (Pushpin ends the stream otherwise): when an item
// does not follow the stream's last id, or the stream was quiet for the
// link's Timeout, Pushpin GETs the link with only Grip-Last (read it with
// ParseGripLast), appends the response body to the stream, and takes its
// instructions as the stream's new hold.
//
// # Errors
//
// Messages say what to change; none contains a secret. A bad channel name
// matches ErrInvalidChannel (and is a *ChannelError, whose Problem a
// handler may show the client). Publish returns an *ItemError for an item
// it refused before sending anything, a *PublishError for an endpoint that
// did not accept the items, or a *DeliveryError holding one per failed
// endpoint when there are several.
package grip
