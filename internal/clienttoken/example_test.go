package clienttoken_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/faas-grip/faas-grip-go/internal/clienttoken"
)

// A function with an HS256 secret: one request with a token granting the
// channel, one granting another, one without a token.
func Example() {
	ctx := context.Background()
	env := map[string]string{
		"CLIENT_TOKEN_ISSUER":   "faas-grip-local",
		"CLIENT_TOKEN_AUDIENCE": "faas-grip-local",
		"CLIENT_TOKEN_SECRET":   "a local secret, at least 32 bytes long",
	}
	tokens, err := clienttoken.FromEnv(ctx, func(k string) string { return env[k] }, clienttoken.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(tokens)

	token, _ := clienttoken.SignHS256([]byte(env["CLIENT_TOKEN_SECRET"]), "faas-grip-local", "faas-grip-local",
		clienttoken.Claims{Subject: "alice", Name: "Alice", Channels: []string{"chat", "news*"},
			Expiry: time.Now().Add(time.Hour)}, time.Now())

	// A browser's EventSource: the token in the query.
	claims, refused := tokens.Authorize(ctx, nil, url.Values{"access_token": {token}}, "news-eu")
	fmt.Println(claims.Name, claims.Channels, refused == nil)

	_, refused = tokens.Authorize(ctx, http.Header{"Authorization": {"Bearer " + token}}, nil, "admin")
	fmt.Println(refused.Status, refused.Challenge)

	_, refused = tokens.Authorize(ctx, nil, nil, "chat")
	fmt.Println(refused.Status, refused.Challenge)
	// Output:
	// client tokens from faas-grip-local for faas-grip-local, verified with an HS256 secret
	// Alice [chat news*] true
	// 403 Bearer error="insufficient_scope"
	// 401 Bearer
}

// With no CLIENT_TOKEN_* setting, tokens are off: a nil Verifier, which
// lets every request through with nil Claims.
func ExampleFromEnv_off() {
	tokens, err := clienttoken.FromEnv(context.Background(), func(string) string { return "" }, clienttoken.Options{})
	claims, refused := tokens.Verify(context.Background(), nil, nil)
	fmt.Println(tokens, err, claims, refused)
	// Output:
	// client tokens off <nil> <nil> <nil>
}
