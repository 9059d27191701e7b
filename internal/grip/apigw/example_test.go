package apigw_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"

	"github.com/faas-grip/faas-grip-go/internal/grip/apigw"
)

// A handler answers every request with a Response, errors included; package
// edge turns each front door's event into the Request and the Response back.
func ExampleHandler() {
	var hello apigw.Handler = func(ctx context.Context, r *apigw.Request) (*apigw.Response, error) {
		if r.Method != http.MethodGet {
			return apigw.Error(http.StatusMethodNotAllowed, "use GET"), nil
		}
		return apigw.Text(http.StatusOK, "", "hello "+r.Query.Get("name")), nil
	}
	for _, r := range []*apigw.Request{
		{Method: http.MethodGet, Query: url.Values{"name": {"gopher"}}},
		{Method: http.MethodPost},
	} {
		resp, _ := hello(context.Background(), r)
		fmt.Printf("%d %q %s\n", resp.Status, resp.Body, resp.Header.Get("Content-Type"))
	}
	// Output:
	// 200 "hello gopher" text/plain; charset=utf-8
	// 405 "use GET\n" text/plain; charset=utf-8
}
