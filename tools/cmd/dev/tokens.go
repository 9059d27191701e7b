package main

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/faas-grip/faas-grip-go/internal/clienttoken"
	"github.com/faas-grip/faas-grip-go/tools/devstack"
)

// The issuer and audience of make dev's client tokens: any strings do, as
// long as the tokens and the functions agree.
const (
	devTokenIssuer   = "faas-grip-dev"
	devTokenAudience = "faas-grip-dev"
)

// devTokens turns client tokens on for a local run: a fresh HS256 secret
// per run, so no token outlives the stack. It returns the variables to set
// on every function (they are declared in template.yaml's Globals).
func devTokens() (map[string]string, error) {
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		return nil, err
	}
	return map[string]string{
		clienttoken.EnvIssuer:   devTokenIssuer,
		clienttoken.EnvAudience: devTokenAudience,
		clienttoken.EnvSecret:   base64.RawURLEncoding.EncodeToString(secret),
	}, nil
}

// printTokens adds to the banner a token for user (sub and name) granting
// channels (comma-separated, "news*" a prefix), ready-made URLs that use it,
// and how to mint others.
func printTokens(w io.Writer, s *devstack.Stack, env map[string]string, user, channels string, now time.Time) error {
	var grants []string
	for _, c := range strings.Split(channels, ",") {
		if c = strings.TrimSpace(c); c != "" {
			grants = append(grants, c)
		}
	}
	token, err := clienttoken.SignHS256([]byte(env[clienttoken.EnvSecret]), devTokenIssuer, devTokenAudience,
		clienttoken.Claims{Subject: user, Name: user, Channels: grants, Expiry: now.Add(12 * time.Hour)}, now)
	if err != nil {
		return err
	}
	proxy := localhost(s.ProxyURL())
	q := url.Values{"access_token": {token}}.Encode()
	has := func(id string) bool { _, ok := s.Template.Function(id); return ok }
	fmt.Fprintf(w, "\nClient tokens are on: only a token that grants a channel opens it.\n")
	fmt.Fprintf(w, "A token for %s, granting %s (12 hours):\n  %s\n", user, strings.Join(grants, ", "), token)
	if has("ChatFunction") {
		fmt.Fprintf(w, "  open %s/chat?%s\n", proxy, q)
	}
	if has("StreamFunction") {
		fmt.Fprintf(w, "  curl -N -H 'Authorization: Bearer %s' %s/stream?channel=news\n", token, proxy)
	}
	fmt.Fprintf(w, "Mint others with:\n  %s=%s %s=%s %s=%s go run ./tools/cmd/token -sub bob -channels 'chat,news*'\n",
		clienttoken.EnvSecret, env[clienttoken.EnvSecret], clienttoken.EnvIssuer, devTokenIssuer, clienttoken.EnvAudience, devTokenAudience)
	return nil
}
