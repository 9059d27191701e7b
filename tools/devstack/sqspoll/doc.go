// Package sqspoll is a local SQS event source mapping: it does for a
// function running on this machine what Lambda does for a deployed one
// with an SQS event.
//
// A Poller long-polls one queue, hands each batch to the function as an
// events.SQSEvent shaped as Lambda shapes it, and settles the batch as
// Lambda does:
//
//   - the function answered and ReportBatchItemFailures is on: every
//     record not listed in batchItemFailures is deleted; the listed ones
//     stay on the queue;
//   - the function answered and ReportBatchItemFailures is off: every
//     record is deleted;
//   - the function failed (an error, a crash, a timeout), or its answer is
//     not a batch response Lambda would accept: nothing is deleted.
//
// What stays on the queue becomes visible again after the queue's
// visibility timeout and is received again, with a higher
// ApproximateReceiveCount; once that passes the queue's maxReceiveCount,
// SQS moves the message to the dead-letter queue of its RedrivePolicy.
// That last step is SQS's own, so an SQS endpoint that implements
// redrive (AWS, moto_server) is needed to see it.
//
// ReadTemplate takes the template's queues and SQS event sources, as the
// repository's one template reader (tools/template) reads them, and
// CreateQueues creates those queues, dead-letter queues first, with the
// RedrivePolicy translated to the created queues' ARNs:
//
//	tmpl, _ := sqspoll.LoadTemplate("template.yaml")
//	client := sqspoll.NewClient("http://127.0.0.1:5000", "us-east-1")
//	queues, _ := sqspoll.CreateQueues(ctx, client, tmpl.Queues, sqspoll.CreateOptions{})
//	for _, es := range tmpl.EventSources {
//		p, _ := sqspoll.New(es.Config(client, queues[es.Queue], functions[es.Function]))
//		go p.Run(ctx)
//	}
package sqspoll
