// Command smoke proves that a stack works end to end through its GRIP
// proxy (make smoke): a direct call to the API is refused, two chat clients
// talk through the proxy, a message sent to the publish queue reaches a
// stream and a long-poll, and the dead-letter queue is empty. One line per
// check; a failure names the hop that failed. Exit status 1 when a check
// failed, 2 when it could not start.
//
// The stack's outputs come from CloudFormation (-stack, with the AWS SDK's
// usual credentials and -region or AWS_REGION), or from a file in the shape
// of DescribeStacks' Outputs (-outputs), such as the one make dev writes in
// deployed mode. The proxy's URL (-proxy, or PROXY_URL) is not an output:
// it is where the user pointed Pushpin or Fastly Fanout at the API.
package main

import (
	"context"
	"flag"
	"fmt"
	"net/url"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"

	"github.com/faas-grip/faas-grip-go/tools/smoke"
)

func main() { os.Exit(run()) }

func run() int {
	var (
		stack   = flag.String("stack", "", "the deployed stack's name: its outputs come from CloudFormation")
		region  = flag.String("region", "", "the stack's region (default: AWS_REGION, or the profile's)")
		outputs = flag.String("outputs", "", "a file with the stack's outputs, as describe-stacks prints them (make dev writes .build/local/outputs.json), instead of -stack")
		proxy   = flag.String("proxy", os.Getenv("PROXY_URL"), "the GRIP proxy's URL, where clients connect (default $PROXY_URL)")
		wait    = flag.Duration("wait", 20*time.Second, "how long a message may take to arrive")
		timeout = flag.Duration("timeout", 3*time.Minute, "how long the whole run may take")
	)
	flag.Parse()
	usage := func(msg string) int {
		fmt.Fprintln(os.Stderr, "smoke: "+msg)
		fmt.Fprintln(os.Stderr, "usage: make smoke STACK=<stack> AWS_REGION=<region> PROXY_URL=<proxy URL>, or make smoke OUTPUTS=<file> PROXY_URL=<proxy URL>")
		return 2
	}
	if *proxy == "" {
		return usage("no PROXY_URL: the URL of the GRIP proxy (Pushpin, Fastly Fanout) in front of the stack")
	}
	if (*stack == "") == (*outputs == "") {
		return usage("name the stack (STACK) or its outputs file (OUTPUTS), one of them")
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()

	var opts []func(*config.LoadOptions) error
	if *region != "" {
		opts = append(opts, config.WithRegion(*region))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		fmt.Fprintln(os.Stderr, "smoke: AWS configuration:", err)
		return 2
	}
	var (
		outs   smoke.Outputs
		source string
	)
	if *outputs != "" {
		outs, err = smoke.ReadOutputsFile(*outputs)
		source = "outputs from " + *outputs
	} else {
		if cfg.Region == "" {
			return usage("no region: set AWS_REGION (or REGION)")
		}
		outs, err = smoke.StackOutputs(ctx, cloudformation.NewFromConfig(cfg), *stack)
		source = "stack " + *stack + " in " + cfg.Region
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "smoke:", err)
		return 2
	}
	shown := "PROXY_URL (not a URL)" // never printed as given: it may hold a password
	if u, err := url.Parse(*proxy); err == nil {
		shown = u.Redacted()
	}
	fmt.Printf("smoke: %s, through the proxy at %s\n", source, shown)
	start := time.Now()
	passed, err := smoke.Run(ctx, smoke.Config{
		Outputs:  outs,
		ProxyURL: *proxy,
		Queues:   &smoke.SQS{Config: cfg},
		Wait:     *wait,
		Out:      os.Stdout,
	})
	if err != nil {
		return usage(err.Error())
	}
	if !passed {
		fmt.Printf("smoke: FAILED (%.1fs): see the FAIL lines above\n", time.Since(start).Seconds())
		return 1
	}
	fmt.Printf("smoke: passed (%.1fs)\n", time.Since(start).Seconds())
	return 0
}
