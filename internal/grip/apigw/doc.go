// Package apigw is the HTTP request and response a function's handler sees,
// whichever front door (an API Gateway REST or HTTP API, a function URL)
// sent the event: Request, Response, Handler, and the Text and Error
// responses.
//
// Package edge turns each front door's event into a Request and the
// Response back into the event type the front door expects, after checking
// Grip-Sig; a function never does either itself:
//
//	func setup(ctx context.Context, cold edge.ColdStart) (apigw.Handler, error) {
//		return func(ctx context.Context, r *apigw.Request) (*apigw.Response, error) {
//			return apigw.Text(http.StatusOK, "", "hello "+r.Query.Get("name")), nil
//		}, nil
//	}
//
// Request headers have canonical names ("grip-sig" is read as Grip-Sig),
// with every value; Query is the query string's values; Body is already
// decoded from base64. A Response body is raw bytes: text goes to the
// front door as it is, anything else (WebSocket-over-HTTP included) as
// base64, with the Content-Type passed through exactly.
package apigw
