// Package smoke proves that a stack works end to end through the GRIP proxy
// in front of it (make smoke): the same checks against a deployed stack,
// whose outputs CloudFormation gives, and against make dev in deployed
// mode, which writes the same outputs to a file.
//
// Each check prints one line, ok or FAIL, and a failure names the hop that
// failed and what to check there:
//
//   - a direct call to the API, without the proxy's Grip-Sig, is refused
//     with 401 (else Grip-Sig is not required: anyone can forge the
//     proxy's requests);
//   - two chat clients connect through the proxy (WebSocket), one sends and
//     the other receives it;
//   - a message sent to the publish queue reaches a stream and a long-poll
//     held by the proxy;
//   - the dead-letter queue is empty.
//
// Hops: client→proxy, proxy→API Gateway (a 403 from API Gateway means the
// proxy sends a Host that is not the API's: its route lacks host=),
// API Gateway→function, the chat function→proxy control API, and publish
// queue→publish function→proxy control API. A check whose outputs the
// stack lacks (a deleted sample) is skipped, not failed.
package smoke
