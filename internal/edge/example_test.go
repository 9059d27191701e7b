package edge_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/faas-grip/faas-grip-go/internal/edge"
	"github.com/faas-grip/faas-grip-go/internal/grip/apigw"
)

// hello is a function's setup: it gets what the cold start loaded and
// returns the handler.
func hello(_ context.Context, cold edge.ColdStart) (apigw.Handler, error) {
	return func(ctx context.Context, r *apigw.Request) (*apigw.Response, error) {
		return &apigw.Response{Status: http.StatusOK, Body: []byte("hello")}, nil
	}, nil
}

// A function's main.go: everything else is the edge's.
func ExampleServeHTTP() {
	edge.ServeHTTP(hello)
}

// The function as deployed, without the Lambda runtime: only requests that
// carry a valid Grip-Sig reach the handler.
func ExampleNewHTTPHandler() {
	env := map[string]string{"GRIP_URL": "http://localhost:5561?verify-iss=pushpin&verify-key=changeme"}
	logger := slog.New(slog.NewJSONHandler(io.Discard, nil))
	h, err := edge.NewHTTPHandler(context.Background(), func(k string) string { return env[k] }, logger, hello)
	if err != nil {
		fmt.Println(err)
		return
	}

	// What Pushpin with its stock sig_key sends.
	token, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
		"iss": "pushpin", "exp": time.Now().Add(time.Hour).Unix(),
	}).SignedString([]byte("changeme"))
	for _, header := range []http.Header{
		{},
		{"Grip-Sig": {token + "forged"}},
		{"Grip-Sig": {token}},
	} {
		resp, _ := h(context.Background(), &apigw.Request{Method: "GET", Header: header})
		fmt.Println(resp.Status, strings.TrimSpace(string(resp.Body)))
	}
	// Output:
	// 401 this endpoint must be reached through a GRIP proxy (Pushpin or Fastly Fanout)
	// 403 invalid Grip-Sig
	// 200 hello
}
