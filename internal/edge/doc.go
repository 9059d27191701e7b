// Package edge is where every function meets Lambda: one call in main does
// what each function would otherwise wire by hand, in the same order for all.
//
//	func main() {
//		edge.ServeHTTP(setup)
//	}
//
//	func setup(ctx context.Context, cold edge.ColdStart) (apigw.Handler, error) {
//		h := &Handler{Grip: cold.Grip, Logger: cold.Logger}
//		return h.Handle, nil
//	}
//
// Once per cold start, ServeHTTP:
//   - logs JSON lines to stdout (CloudWatch reads them);
//   - reads GRIP_URL, or the Secrets Manager secret named by
//     GRIP_URL_SECRET_ARN, and GRIP_PREFIX and GRIP_SIG_REQUIRED (see
//     package lambdaenv), and builds the publisher;
//   - builds the Grip-Sig policy (package sig): which key verifies each
//     endpoint, and a deployment's refusal of keys anyone can guess;
//   - calls setup with what it loaded (ColdStart).
//
// Any failure there logs one "cold start failed" line saying what to fix and
// exits with status 1. Then, for every invocation, it adapts the API Gateway
// or function URL event (package apigw), recovers a panic as a 500, and
// checks Grip-Sig before the handler runs: 401 without a Grip-Sig, 403 for
// one that does not verify, 500 when one is required but no key is set. The
// refusal's reason is logged with the request id, never a key or a token. A
// handler cannot forget the check: it never sees a refused request.
// PublicMethods exempts methods that serve only public content.
//
// ServeEvents does the same for a function invoked with raw events (SQS, a
// direct invoke) minus the Grip-Sig check, which its binary then does not
// link. NewHTTPHandler and NewEventHandler build the same handlers without
// the Lambda runtime, for tests and benchmarks.
package edge
