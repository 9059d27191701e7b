// Command token mints an HS256 client token for local runs (make dev): the
// secret, issuer and audience are the ones the functions read, so a token
// it prints is one they accept.
//
//	CLIENT_TOKEN_SECRET=... CLIENT_TOKEN_ISSUER=... CLIENT_TOKEN_AUDIENCE=... \
//	  go run ./tools/cmd/token -sub alice -name Alice -channels 'chat,news*' -ttl 1h
//
// The secret comes only from the environment: a flag would leave it in the
// shell history and in ps.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/faas-grip/faas-grip-go/internal/clienttoken"
)

func main() {
	if err := run(os.Args[1:], os.Getenv, os.Stdout, time.Now()); err != nil {
		fmt.Fprintln(os.Stderr, "token:", err)
		os.Exit(2)
	}
}

// run parses args, mints the token and writes it to w, one line.
func run(args []string, getenv func(string) string, w io.Writer, now time.Time) error {
	fs := flag.NewFlagSet("token", flag.ContinueOnError)
	sub := fs.String("sub", "", "the user's id (sub), required")
	name := fs.String("name", "", "display name (name); empty shows the sub")
	channels := fs.String("channels", "", "comma-separated channels to grant; 'news*' grants every name starting with news")
	ttl := fs.Duration("ttl", time.Hour, "how long the token lives")
	iss := fs.String("iss", getenv(clienttoken.EnvIssuer), "issuer (default $"+clienttoken.EnvIssuer+")")
	aud := fs.String("aud", getenv(clienttoken.EnvAudience), "audience (default $"+clienttoken.EnvAudience+")")
	if err := fs.Parse(args); err != nil {
		return err
	}
	secret := getenv(clienttoken.EnvSecret)
	switch {
	case secret == "":
		return fmt.Errorf("set %s to the secret the functions verify with", clienttoken.EnvSecret)
	case *sub == "" || *iss == "" || *aud == "":
		return fmt.Errorf("-sub, -iss and -aud are required (-iss and -aud default to $%s and $%s)", clienttoken.EnvIssuer, clienttoken.EnvAudience)
	case *ttl <= 0:
		return fmt.Errorf("-ttl must be positive")
	}
	var grants []string
	for _, c := range strings.Split(*channels, ",") {
		if c = strings.TrimSpace(c); c != "" {
			grants = append(grants, c)
		}
	}
	token, err := clienttoken.SignHS256([]byte(secret), *iss, *aud,
		clienttoken.Claims{Subject: *sub, Name: *name, Channels: grants, Expiry: now.Add(*ttl)}, now)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(w, token)
	return err
}
