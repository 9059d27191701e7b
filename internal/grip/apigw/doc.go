// Package apigw turns the HTTP-shaped Lambda events into one request view,
// and a response back into the event type the front door expects.
//
// A Lambda function can sit behind three HTTP front doors, each with its own
// event and response JSON:
//
//	front door             event                          response
//	REST API (SAM Api)     events.APIGatewayProxyRequest   events.APIGatewayProxyResponse
//	HTTP API (SAM HttpApi) events.APIGatewayV2HTTPRequest  events.APIGatewayV2HTTPResponse
//	function URL           events.LambdaFunctionURLRequest events.LambdaFunctionURLResponse
//
// The events types are aws-lambda-go's, decoded with encoding/json: plain
// data, as every Go Lambda function knows them. FromV1, FromV2 and
// FromFunctionURL give the same Request for the same HTTP request: canonical
// header names (front doors pass names in any case), the query as
// url.Values, and the body decoded from base64 when the event says it is. A
// body that claims base64 but is not is an error wrapping ErrBadBody.
// Adapt converts for a Handler both ways and works out the front door by
// itself; an event it cannot read is an error wrapping ErrUnknownEvent
// that says what is wrong:
//
//	func main() {
//		lambda.Start(apigw.Adapt(func(ctx context.Context, r *apigw.Request) (*apigw.Response, error) {
//			return apigw.Text(http.StatusOK, "", "hello "+r.Path), nil
//		}))
//	}
//
// What differs between front doors, and what this package does about it:
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
package apigw
