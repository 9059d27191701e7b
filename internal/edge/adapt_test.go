package edge

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/faas-grip/faas-grip-go/internal/grip/apigw"

	"github.com/aws/aws-lambda-go/lambda"
)

// echoWoH answers like a chat function: accept the connection and echo the
// body, as WebSocket-over-HTTP, with the subprotocol and a meta binding.
func echoWoH(seen **apigw.Request) apigw.Handler {
	return func(_ context.Context, r *apigw.Request) (*apigw.Response, error) {
		*seen = r
		resp := apigw.Text(200, "application/websocket-events", "OPEN\r\n"+string(r.Body))
		resp.Header.Set("Sec-WebSocket-Protocol", "chat.v2")
		resp.Header["Set-Cookie"] = []string{"a=1", "b=2"}
		return resp, nil
	}
}

// invoke runs an event through the Lambda runtime's own JSON path.
func invoke(t *testing.T, h apigw.Handler, event string) (map[string]any, error) {
	t.Helper()
	out, err := lambda.NewHandler(adapt(h)).Invoke(context.Background(), []byte(event))
	if err != nil {
		return nil, err
	}
	var resp map[string]any
	if err := json.Unmarshal(out, &resp); err != nil {
		t.Fatalf("response is not JSON: %v: %s", err, out)
	}
	return resp, nil
}

func TestAdaptRoundTrip(t *testing.T) {
	wantBody := base64.StdEncoding.EncodeToString([]byte("OPEN\r\n" + wohHello))
	tests := []struct {
		name       string
		event      string
		wantFields []string // JSON members only this response type has
		noFields   []string
		wantCookie bool // cookies in their own member (payload 2.0)
	}{
		{"REST API", restChatEvent, []string{"multiValueHeaders"}, []string{"cookies"}, false},
		{"HTTP API", httpAPIChatEvent, []string{"cookies", "multiValueHeaders"}, nil, true},
		{"function URL", functionURLChatEvent, []string{"cookies"}, []string{"multiValueHeaders"}, true},
		{"function URL behind a custom domain (no routeKey)",
			strings.Replace(functionURLChatEvent, "u4kzmfn3oq.lambda-url.us-east-1.on.aws", "chat.example.com", 1),
			[]string{"cookies"}, []string{"multiValueHeaders"}, true},
		{"HTTP API with payload format 1.0",
			strings.Replace(restChatEvent, `"resource": "/chat",`, `"version": "1.0", "resource": "/chat",`, 1),
			[]string{"multiValueHeaders"}, []string{"cookies"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var seen *apigw.Request
			resp, err := invoke(t, echoWoH(&seen), tt.event)
			if err != nil {
				t.Fatalf("Invoke: %v", err)
			}
			if seen == nil || seen.Method != "POST" || seen.Path != "/chat" || string(seen.Body) != wohHello ||
				seen.Header.Get("Grip-Sig") != testGripSig || seen.Header.Get("Meta-User") != "alice" {
				t.Fatalf("handler saw %+v", seen)
			}
			if resp["statusCode"] != 200.0 || resp["body"] != wantBody || resp["isBase64Encoded"] != true {
				t.Errorf("response status/body: %v", resp)
			}
			headers, _ := resp["headers"].(map[string]any)
			if ct := headers["Content-Type"]; ct != "application/websocket-events" {
				t.Errorf("Content-Type = %q, want exactly application/websocket-events", ct)
			}
			if p := headers["Sec-Websocket-Protocol"]; p != "chat.v2" {
				t.Errorf("Sec-WebSocket-Protocol = %v", p)
			}
			for _, f := range tt.wantFields {
				if _, ok := resp[f]; !ok {
					t.Errorf("response has no %q: wrong response type %v", f, resp)
				}
			}
			for _, f := range tt.noFields {
				if _, ok := resp[f]; ok {
					t.Errorf("response has %q: wrong response type %v", f, resp)
				}
			}
			if tt.wantCookie {
				if c, _ := resp["cookies"].([]any); len(c) != 2 {
					t.Errorf("cookies = %v, want 2", resp["cookies"])
				}
			} else if mv, _ := resp["multiValueHeaders"].(map[string]any); mv["Set-Cookie"] == nil {
				t.Errorf("multiValueHeaders = %v, want Set-Cookie", resp["multiValueHeaders"])
			}
		})
	}
}

func TestAdaptBadBodyIs400(t *testing.T) {
	called := false
	h := func(context.Context, *apigw.Request) (*apigw.Response, error) {
		called = true
		return apigw.Text(200, "", "no"), nil
	}
	event := strings.Replace(httpAPIChatEvent, `"body": "VEVYVCA1DQpoZWxsbw0K"`, `"body": "%%%"`, 1)
	resp, err := invoke(t, h, event)
	if err != nil {
		t.Fatalf("Invoke: %v", err)
	}
	if called {
		t.Error("handler was called with a bad body")
	}
	body, _ := resp["body"].(string)
	if resp["statusCode"] != 400.0 || !strings.Contains(body, "not valid base64") {
		t.Errorf("response = %v, want a 400 naming the problem", resp)
	}
}

func TestAdaptErrors(t *testing.T) {
	errBoom := errors.New("boom")
	ok := func(context.Context, *apigw.Request) (*apigw.Response, error) { return apigw.Text(200, "", "ok"), nil }
	tests := []struct {
		name    string
		handler apigw.Handler
		event   string
		want    error
	}{
		{"SQS event", ok, `{"Records":[{"messageId":"1","body":"x","eventSource":"aws:sqs"}]}`, errUnknownEvent},
		{"version 2.0 without http method", ok, `{"version":"2.0","routeKey":"$default","requestContext":{}}`, errUnknownEvent},
		{"empty object", ok, `{}`, errUnknownEvent},
		{"not an object", ok, `[1,2]`, errUnknownEvent},
		{"v1 with wrongly typed headers", ok, `{"httpMethod":"GET","headers":5}`, errUnknownEvent},
		{"handler error passes through", func(context.Context, *apigw.Request) (*apigw.Response, error) { return nil, errBoom },
			restChatEvent, errBoom},
		{"nil response", func(context.Context, *apigw.Request) (*apigw.Response, error) { return nil, nil },
			functionURLChatEvent, errNilResponse},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := invoke(t, tt.handler, tt.event); !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
		})
	}
	if _, err := adapt(ok).Invoke(context.Background(), []byte("not json")); !errors.Is(err, errUnknownEvent) {
		t.Errorf("not JSON: err = %v, want errUnknownEvent", err)
	}
}
