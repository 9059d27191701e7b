package edge

import (
	"context"
	"testing"

	"github.com/faas-grip/faas-grip-go/internal/grip/apigw"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

// BenchmarkFromV1 converts the REST API chat event (mixed-case headers in
// both maps, a base64 WebSocket-over-HTTP body). JSON decoding is the
// runtime's work and happens once, outside the loop.
func BenchmarkFromV1(b *testing.B) {
	event := decodeEvent[events.APIGatewayProxyRequest](b, restChatEvent)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := fromV1(event); err != nil {
			b.Fatal(err)
		}
	}
}

func openHandler(_ context.Context, r *apigw.Request) (*apigw.Response, error) {
	return apigw.Text(200, "application/websocket-events", "OPEN\r\n"), nil
}

// BenchmarkAdaptV1 is the whole trip for the same event: decode, convert,
// handle (trivially), convert back, without the response's JSON.
func BenchmarkAdaptV1(b *testing.B) {
	handler := adapter{openHandler}
	raw := []byte(restChatEvent)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := handler.respond(context.Background(), raw); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkInvoke is what the Lambda runtime runs per event, for each
// front door: event JSON in, response JSON out.
func BenchmarkInvoke(b *testing.B) {
	for _, tc := range []struct{ name, event string }{
		{"rest", restChatEvent}, {"httpapi", httpAPIChatEvent}, {"functionurl", functionURLChatEvent},
	} {
		b.Run("event="+tc.name, func(b *testing.B) {
			invoker := lambda.NewHandler(adapt(openHandler))
			raw := []byte(tc.event)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := invoker.Invoke(context.Background(), raw); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
