package sqspoll

import (
	"fmt"

	"github.com/faas-grip/faas-grip-go/tools/template"
)

// Template is what a local event source mapping needs from a SAM template,
// as the repository's one template reader (tools/template) reads it.
type Template struct {
	// Queues are the AWS::SQS::Queue resources, sorted by logical id.
	Queues []Queue
	// EventSources are the functions' SQS events, sorted by function, then event.
	EventSources []EventSource
}

// Queue is an AWS::SQS::Queue resource.
type Queue = template.Queue

// EventSource is a function's event of Type SQS.
type EventSource struct {
	Function  string // the function's logical id
	Event     string // the event's key under Events
	Queue     string // the queue's logical id
	BatchSize int    // default 10
	// ReportBatchItemFailures is set when FunctionResponseTypes lists it.
	ReportBatchItemFailures bool
	Enabled                 bool // Properties.Enabled, default true
}

// LoadTemplate reads the template file at path.
func LoadTemplate(path string) (*Template, error) {
	t, err := template.Load(path)
	if err != nil {
		return nil, fmt.Errorf("sqspoll: %w", err)
	}
	return FromTemplate(t)
}

// ReadTemplate reads the queues and SQS event sources of a SAM template.
func ReadTemplate(data []byte) (*Template, error) {
	t, err := template.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("sqspoll: %w", err)
	}
	return FromTemplate(t)
}

// FromTemplate takes the queues and SQS event sources of a parsed template.
// Every event must read one of the template's queues: a local run creates
// only those.
func FromTemplate(t *template.Template) (*Template, error) {
	out := &Template{Queues: t.Queues}
	for _, fn := range t.Functions {
		for _, ev := range fn.SQSEvents {
			q, err := ev.LocalQueue()
			if err != nil {
				return nil, fmt.Errorf("sqspoll: Resources.%s.Properties.Events.%s.Properties.Queue: %w", fn.LogicalID, ev.Name, err)
			}
			out.EventSources = append(out.EventSources, EventSource{
				Function: fn.LogicalID, Event: ev.Name, Queue: q, BatchSize: ev.BatchSize,
				ReportBatchItemFailures: ev.ReportBatchItemFailures, Enabled: ev.Enabled,
			})
		}
	}
	return out, nil
}
