// Package loadtest drives hundreds of clients through real Pushpin
// instances and the local stack (tools/devstack) and checks that every
// client receives every message exactly once, in order per publisher.
//
// Three scenarios, each returning a Result:
//
//   - Chat: WebSocket clients of the chat function; a few of them send,
//     through the chat function, which publishes each batch to the room.
//   - Stream: HTTP streaming clients of the stream function, plain text and
//     Server-Sent Events, receiving what the publish function publishes.
//   - Longpoll: long-poll clients of the longpoll function, held by Pushpin
//     and released by publishes; each polls again with its last id.
//
// Clients are spread round-robin over Target.ProxyURLs, so the same
// scenario on a stack with two Pushpin instances (devstack.Options.Pushpins)
// checks scale-out: a publish must reach the clients of every instance.
//
// Every message carries its run, publisher, sequence number and send time
// ("L <run> <src> <seq> <unix ns>"), so a client can tell a duplicate, a gap
// or a reordering, and the latency from send to receipt.
package loadtest
