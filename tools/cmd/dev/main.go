// Command dev runs the whole application on this machine, without Docker
// or AWS, behind a real Pushpin (`make dev`):
//
//   - every function of template.yaml, built for this machine and run
//     through the Lambda Runtime API;
//   - a local API Gateway for the template's Api events (port 3000);
//   - Pushpin in front (port 7999, control API 5561) with a fresh signing
//     key, which the functions get in GRIP_URL as their verify key.
//
// It installs Pushpin first when it is missing. Ctrl-C (SIGINT), SIGTERM and
// SIGHUP (closing the terminal) stop everything and remove its temp dirs.
//
// -client-tokens turns client tokens (private channels) on with a fresh
// HS256 secret and prints a token for -token-user granting -token-channels.
//
// -watch (on by default) rebuilds a function when a file its build reads
// changes and swaps the new build in, keeping Pushpin and the connections
// it holds; -watch=false runs the first build to the end, as CI does.
//
// -api-domain abc123.execute-api.us-east-1.amazonaws.com runs the local API
// Gateway as strict as the deployed one (403 for any other Host, REST
// routes only under /Prod/), with Pushpin routed as README says.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/faas-grip/faas-grip-go/tools/devstack"
	"github.com/faas-grip/faas-grip-go/tools/devstack/pushpin"
	"github.com/faas-grip/faas-grip-go/tools/template"
)

func main() {
	os.Exit(run())
}

func run() int {
	var (
		apiPort     = flag.Int("api-port", 3000, "port of the local API Gateway (the origin)")
		proxyPort   = flag.Int("proxy-port", 7999, "port of Pushpin, where clients connect")
		controlPort = flag.Int("control-port", 5561, "port of Pushpin's control API (publishing)")
		envVars     = flag.String("env-vars", os.Getenv("ENV_VARS"), "env-vars file in sam's format (default $ENV_VARS)")
		dir         = flag.String("dir", ".", "project directory, with template.yaml and the Makefile")
		noInstall   = flag.Bool("no-install", false, "do not install Pushpin when it is missing")
		verbose     = flag.Bool("v", false, "show Pushpin's log and debug messages")
		sqsEndpoint = flag.String("sqs-endpoint", "", "an SQS endpoint (e.g. moto_server's URL): create the template's queues there and feed their functions from them")
		paramsFlag  = flag.String("parameter-overrides", "", `template parameter values, as sam's: "Key=Value Key2=Value2"`)
		tokens      = flag.Bool("client-tokens", false, "turn client tokens on (private channels) with a fresh HS256 secret, and print a token")
		tokenUser   = flag.String("token-user", "alice", "with -client-tokens: the user (sub and name) of the printed token")
		tokenGrants = flag.String("token-channels", "chat,news*", "with -client-tokens: the channels the printed token grants, comma-separated; 'news*' grants every name starting with news")
		watch       = flag.Bool("watch", true, "rebuild and restart a function when its Go files change (Pushpin and its connections stay)")
		apiDomain   = flag.String("api-domain", "", "serve the API as deployed at this domain (e.g. abc123.execute-api.us-east-1.amazonaws.com): other Hosts get 403, REST routes live under /Prod/, and Pushpin sends this Host")
		outputs     = flag.String("outputs", "", "with -api-domain: where to write the stack's outputs, shaped as a deployed stack's, for make smoke (default <dir>/.build/local/outputs.json)")
	)
	flag.Parse()
	level := slog.LevelInfo
	if *verbose {
		level = slog.LevelDebug
	}
	stderr := devstack.NewSyncWriter(os.Stderr)
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))

	// SIGHUP is the terminal closing: stop as cleanly as for Ctrl-C, or the
	// build and Pushpin temp dirs stay behind.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer stop()

	if !*noInstall {
		if _, err := pushpin.EnsureInstalled(ctx, os.Stdin, os.Stderr, os.Stderr); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
	}

	params, err := template.ParseParameterOverrides(*paramsFlag)
	if err != nil {
		fmt.Fprintln(os.Stderr, "dev:", err)
		return 2
	}
	localEnv, err := devstack.LocalEnv(*dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, "dev:", err)
		return 1
	}
	var tokenEnv map[string]string
	if *tokens {
		if tokenEnv, err = devTokens(); err != nil {
			fmt.Fprintln(os.Stderr, "dev:", err)
			return 1
		}
		maps.Copy(localEnv, tokenEnv)
	}
	var pushpinOut io.Writer
	if *verbose {
		pushpinOut = devstack.NewPrefixWriter(stderr, "[pushpin] ")
	}
	log.Info("building the functions and starting the stack")
	stack, err := devstack.Start(ctx, devstack.Options{
		Dir:            *dir,
		EnvVars:        *envVars,
		Env:            localEnv,
		APIPort:        *apiPort,
		ProxyPort:      *proxyPort,
		ControlPort:    *controlPort,
		Domain:         *apiDomain,
		Parameters:     params,
		FunctionOutput: stderr,
		PushpinOutput:  pushpinOut,
		Logger:         log,
	})
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return 130
		}
		fmt.Fprintln(os.Stderr, "dev:", err)
		return 1
	}
	if *watch {
		// Before the banner: once it shows, an edit is seen.
		if _, err := stack.Watch(ctx, os.Stdout); err != nil {
			log.Warn("not watching for changes: restart make dev after an edit", "error", err)
		}
	}
	printBanner(os.Stdout, stack)
	if *tokens {
		if err := printTokens(os.Stdout, stack, tokenEnv, *tokenUser, *tokenGrants, time.Now()); err != nil {
			fmt.Fprintln(os.Stderr, "dev:", err)
			_ = stack.Close()
			return 1
		}
	}
	waitSQS := func() {}
	var queues map[string]string
	if *sqsEndpoint != "" {
		if waitSQS, queues, err = startSQS(ctx, *sqsEndpoint, *dir, stack, os.Stdout, log); err != nil {
			fmt.Fprintln(os.Stderr, "dev:", err)
			_ = stack.Close()
			return 1
		}
	}
	removeOutputs, err := writeOutputs(*outputs, *dir, stack, queues, os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "dev:", err)
		_ = stack.Close()
		return 1
	}
	defer removeOutputs()

	<-ctx.Done()
	stop() // a second Ctrl-C now ends the process at once
	// After a hangup the terminal is gone: a write to it must not end the
	// process before the cleanup.
	signal.Ignore(syscall.SIGPIPE, syscall.SIGHUP)
	waitSQS()
	fmt.Fprintln(os.Stderr, "\nstopping...")
	done := make(chan error, 1)
	go func() { done <- stack.Close() }()
	select {
	case err := <-done:
		if err != nil {
			fmt.Fprintln(os.Stderr, "dev: stopping:", err)
			return 1
		}
	case <-time.After(15 * time.Second):
		fmt.Fprintln(os.Stderr, "dev: stopping took too long; giving up")
		return 1
	}
	fmt.Fprintln(os.Stderr, "stopped")
	return 0
}
