// Package edge is where every function meets Lambda: one call in main does
// what each function would otherwise wire by hand, in the same order for all.
// It is the only package that hands a handler to the Lambda runtime, so a
// function (or a fork of one) cannot skip its Grip-Sig check.
//
//	func main() {
//		edge.ServeHTTP(setup)
//	}
//
//	func setup(ctx context.Context, cold edge.ColdStart) (apigw.Handler, error) {
//		h, err := newHandler(ctx, cold) // the function's settings, read once
//		if err != nil {
//			return nil, err
//		}
//		return h.Handle, nil
//	}
//
// Once per cold start, ServeHTTP:
//   - logs JSON lines to stdout with aws-lambda-go's lambdacontext logger
//     (CloudWatch reads them); log with ctx (InfoContext...) and a line
//     carries the invocation's requestId;
//   - reads GRIP_URL, or the Secrets Manager secret named by
//     GRIP_URL_SECRET_ARN, GRIP_PREFIX and GRIP_SIG_REQUIRED, and builds
//     the publisher;
//   - builds the Grip-Sig policy (package sig): which key verifies each
//     endpoint, and a deployment's refusal of keys anyone can guess;
//   - calls setup with what it loaded (ColdStart, with the metrics writer
//     the function counts its own events with), then counts the cold
//     start: a ColdStart metric (package emf, metrics.go).
//
// Environment:
//
//	GRIP_URL             GRIP control URL(s); wins over the secret (local runs, tests)
//	GRIP_URL_SECRET_ARN  Secrets Manager secret holding the GRIP URL (the deployed way)
//	GRIP_PREFIX          optional channel prefix
//	GRIP_SIG_REQUIRED    "true" (default) refuses requests without a valid Grip-Sig;
//	                     "false" only for trying things out behind a trusted proxy
//
// Any failure there logs one "cold start failed" line saying what to fix and
// exits with status 1. Then, for every invocation, it turns the API Gateway
// or function URL event into an apigw.Request, recovers a panic as a 500,
// and checks Grip-Sig before the handler runs: 401 without a Grip-Sig, 403
// for one that does not verify, 500 when one is required but no key is set.
// The refusal's reason is logged with the request id, never a key or a
// token, and counted (GripSigRefused by Reason). A handler never sees a refused request. PublicMethods exempts
// methods that serve only public content.
//
// VerifyOnly is for a function that only checks Grip-Sig and never
// publishes (stream, long-poll):
//
//	edge.ServeHTTP(setup, edge.VerifyOnly())
//
// Its cold start stops when the GRIP URL carries a publish credential
// (key=, user:password@): such a function reads the GRIP URL without it
// (template.yaml: GripVerifyUrl, in GripVerifySecret), and VerifyOnly keeps
// a misplaced secret from undoing that split. The error says what to
// remove, never the credential.
//
// ServeEvents does the same for a function invoked with raw events (SQS, a
// direct invoke) minus the Grip-Sig check, which its binary then does not
// link. NewHTTPHandler and NewEventHandler build the same handlers without
// the Lambda runtime, for tests and benchmarks.
//
// What differs between front doors, and what the edge does about it:
//
//   - Methods: v1 has httpMethod; v2 and function URLs have only
//     requestContext.http.method (older faas-grip libraries miss it).
//   - Repeated headers: v1 has both headers (last value) and
//     multiValueHeaders (all values) and the multi-value list wins; v2 and
//     function URLs join them with commas into one value, kept as is.
//   - Cookies: v2 and function URLs move them to a cookies array; they become
//     one Cookie header again. On the way out Set-Cookie goes to cookies.
//   - Paths: a REST API event's path leaves out the stage ("/chat" when the
//     client asked for "/Prod/chat"; requestContext.path has the full one).
//     An HTTP API's rawPath includes the stage unless it is $default.
//   - Bodies: a response body is sent as text when its Content-Type is
//     textual (text/*, JSON, XML, JavaScript, form, event-stream, GRIP
//     instructions) and it is valid UTF-8, and as base64 otherwise.
//     WebSocket-over-HTTP (application/websocket-events) is therefore
//     base64: a REST API must list that media type in BinaryMediaTypes
//     (SAM: application~1websocket-events), or API Gateway garbles it.
//   - Content-Type is passed through exactly as the handler set it. Pushpin
//     fails a WebSocket-over-HTTP connection when "; charset=..." is added
//     to application/websocket-events.
//   - An empty header value (Set-Meta-x: "" unbinds meta) is kept in both
//     directions.
package edge
