package apigw

import (
	"context"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

// BenchmarkFromV1 converts the REST API chat event (mixed-case headers in
// both maps, a base64 WebSocket-over-HTTP body). JSON decoding is the
// runtime's work and happens once, outside the loop.
func BenchmarkFromV1(b *testing.B) {
	event := decodeEvent[events.APIGatewayProxyRequest](b, restChatEvent)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := FromV1(event); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAdaptV1 is the whole trip for the same event: detect, decode,
// convert, handle (trivially), convert back.
func BenchmarkAdaptV1(b *testing.B) {
	handler := Adapt(func(_ context.Context, r *Request) (*Response, error) {
		return Text(200, "application/websocket-events", "OPEN\r\n"), nil
	})
	raw := []byte(restChatEvent)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := handler(context.Background(), raw); err != nil {
			b.Fatal(err)
		}
	}
}
