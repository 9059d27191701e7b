package main

import (
	"bytes"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/faas-grip/faas-grip-go/internal/clienttoken"
)

// TestRun proves a minted token is one the functions' verifier accepts, with
// the flags' claims, and that missing settings are errors.
func TestRun(t *testing.T) {
	env := map[string]string{
		clienttoken.EnvIssuer:   "faas-grip-local",
		clienttoken.EnvAudience: "faas-grip-local",
		clienttoken.EnvSecret:   "a local secret, at least 32 bytes long",
	}
	getenv := func(k string) string { return env[k] }
	for _, tc := range []struct {
		name    string
		args    []string
		wantErr string
	}{
		{"minted", []string{"-sub", "alice", "-name", "Alice", "-channels", "chat, news*", "-ttl", "1h"}, ""},
		{"no sub", []string{"-channels", "chat"}, "-sub"},
		{"bad ttl", []string{"-sub", "a", "-ttl", "-1h"}, "-ttl"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			err := run(tc.args, getenv, &out, time.Now())
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			v, err := clienttoken.FromEnv(t.Context(), getenv, clienttoken.Options{})
			if err != nil {
				t.Fatal(err)
			}
			h := http.Header{"Authorization": {"Bearer " + strings.TrimSpace(out.String())}}
			c, refused := v.Authorize(t.Context(), h, nil, "chat", "news-eu")
			if refused != nil || c.Subject != "alice" || c.Name != "Alice" || !slices.Equal(c.Channels, []string{"chat", "news*"}) {
				t.Fatalf("Authorize = %+v, %v", c, refused)
			}
		})
	}
	if err := run([]string{"-sub", "a"}, func(string) string { return "" }, &bytes.Buffer{}, time.Now()); err == nil ||
		!strings.Contains(err.Error(), clienttoken.EnvSecret) {
		t.Fatalf("no secret: %v", err)
	}
}
