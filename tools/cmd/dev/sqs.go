package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"sync"

	"github.com/faas-grip/faas-grip-go/tools/devstack"
	"github.com/faas-grip/faas-grip-go/tools/devstack/sqspoll"
)

// startSQS creates the template's queues on an SQS endpoint (moto_server,
// say) and feeds each function with an SQS event from its queue, as
// Lambda's event source mappings do. The pollers stop when ctx ends; wait
// for them with the returned function. urls are the queues' URLs by
// logical id, as the stack's outputs name them.
func startSQS(ctx context.Context, endpoint, dir string, stack *devstack.Stack, out io.Writer, log *slog.Logger) (wait func(), urls map[string]string, err error) {
	tmpl, err := sqspoll.LoadTemplate(filepath.Join(dir, "template.yaml"))
	if err != nil {
		return nil, nil, err
	}
	client := sqspoll.NewClient(endpoint, devstack.Region())
	queues, err := sqspoll.CreateQueues(ctx, client, tmpl.Queues, sqspoll.CreateOptions{})
	if err != nil {
		return nil, nil, fmt.Errorf("SQS endpoint %s: %w", endpoint, err)
	}
	urls = map[string]string{}
	for id, q := range queues {
		urls[id] = q.URL
	}
	var pollers []*sqspoll.Poller
	for _, es := range tmpl.EventSources {
		if !es.Enabled {
			continue
		}
		fn := es.Function
		invoke := sqspoll.InvokerFunc(func(ctx context.Context, payload []byte) ([]byte, error) {
			return stack.Invoke(ctx, fn, payload)
		})
		cfg := es.Config(client, queues[es.Queue], invoke)
		cfg.Logger = log.With("function", fn)
		p, err := sqspoll.New(cfg)
		if err != nil {
			return nil, nil, err
		}
		pollers = append(pollers, p)
		q := queues[es.Queue]
		fmt.Fprintf(out, "SQS: %s feeds %s (batch %d)\n", q.URL, fn, es.BatchSize)
		if dlq := queues[q.DeadLetterQueue]; dlq != nil {
			fmt.Fprintf(out, "     after %d receives a message moves to %s\n", q.MaxReceiveCount, dlq.URL)
		}
		fmt.Fprintf(out, "  aws --endpoint-url %s sqs send-message --queue-url %s --message-body '{\"channel\":\"news\",\"text\":\"hello\"}'\n", endpoint, q.URL)
	}
	var wg sync.WaitGroup
	for _, p := range pollers {
		wg.Go(func() { _ = p.Run(ctx) })
	}
	return wg.Wait, urls, nil
}
