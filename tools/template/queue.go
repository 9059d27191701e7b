package template

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Queue is an AWS::SQS::Queue resource, as a local run creates it.
type Queue struct {
	LogicalID string
	// Name is Properties.QueueName, else the logical id (with ".fifo" for a
	// FIFO queue), since a local run has no stack name to build one from.
	Name string
	// Attributes are the SQS attributes the properties set, by their SQS
	// names (see queueAttributes). RedrivePolicy is not among them.
	Attributes map[string]string
	// DeadLetterQueue is the logical id of the RedrivePolicy's
	// deadLetterTargetArn, empty without a RedrivePolicy.
	DeadLetterQueue string
	MaxReceiveCount int
}

// queueAttributes are the AWS::SQS::Queue properties a local queue honours;
// their SQS attribute names are the same.
var queueAttributes = []string{
	"VisibilityTimeout", "MessageRetentionPeriod", "DelaySeconds", "MaximumMessageSize",
	"ReceiveMessageWaitTimeSeconds", "FifoQueue", "ContentBasedDeduplication",
}

// parseQueue reads one AWS::SQS::Queue.
func parseQueue(r *resolver, id string, props *yaml.Node) (Queue, error) {
	at := func(field string) string { return "Resources." + id + ".Properties." + field }
	q := Queue{LogicalID: id, Attributes: map[string]string{}}
	var fields map[string]yaml.Node
	if props.Kind != 0 {
		if err := props.Decode(&fields); err != nil {
			return q, &FieldError{Path: strings.TrimSuffix(at(""), "."), Err: err}
		}
	}
	for _, name := range queueAttributes {
		n, ok := fields[name]
		if !ok {
			continue
		}
		v, ok, err := r.str(&n)
		if err != nil {
			return q, &FieldError{Path: at(name), Err: err}
		}
		if ok {
			q.Attributes[name] = v
		}
	}
	if n, ok := fields["QueueName"]; ok {
		name, _, err := r.str(&n)
		if err != nil {
			return q, &FieldError{Path: at("QueueName"), Err: err}
		}
		q.Name = name
	}
	if q.Name == "" {
		q.Name = id
		if q.Attributes["FifoQueue"] == "true" {
			q.Name += ".fifo"
		}
	}
	if n, ok := fields["RedrivePolicy"]; ok {
		if err := r.redrivePolicy(&q, &n); err != nil {
			return q, &FieldError{Path: at("RedrivePolicy"), Err: err}
		}
	}
	return q, nil
}

// redrivePolicy reads {deadLetterTargetArn, maxReceiveCount}, given as a
// map or as a JSON string.
func (r *resolver) redrivePolicy(q *Queue, n *yaml.Node) error {
	var target, count yaml.Node
	switch n.Kind {
	case yaml.MappingNode:
		var m map[string]yaml.Node
		if err := n.Decode(&m); err != nil {
			return err
		}
		target, count = m["deadLetterTargetArn"], m["maxReceiveCount"]
	case yaml.ScalarNode:
		var m struct {
			Target string          `json:"deadLetterTargetArn"`
			Count  json.RawMessage `json:"maxReceiveCount"`
		}
		if err := json.Unmarshal([]byte(n.Value), &m); err != nil {
			return fmt.Errorf("not a map nor a JSON object: %w", err)
		}
		target = yaml.Node{Kind: yaml.ScalarNode, Value: m.Target}
		count = yaml.Node{Kind: yaml.ScalarNode, Value: strings.Trim(string(m.Count), `"`)}
	default:
		return fmt.Errorf("want a map with deadLetterTargetArn and maxReceiveCount")
	}
	dlq, err := r.queueRef(&target)
	if err != nil {
		return fmt.Errorf("deadLetterTargetArn: %w", err)
	}
	s, _, err := r.str(&count)
	if err != nil {
		return fmt.Errorf("maxReceiveCount: %w", err)
	}
	c, err := strconv.Atoi(s)
	if err != nil || c < 1 || c > 1000 {
		return fmt.Errorf("maxReceiveCount: want a whole number from 1 to 1000, found %q", s)
	}
	q.DeadLetterQueue, q.MaxReceiveCount = dlq, c
	return nil
}

// LocalQueue is the logical id of the template's queue the event reads, or
// why a local run cannot feed it (a queue outside the template, say).
func (e SQSEvent) LocalQueue() (string, error) {
	if e.queueErr != nil {
		return "", e.queueErr
	}
	return e.QueueID, nil
}

// parseSQSEvent reads an event of Type SQS. A queue outside the template is
// no error here (only a local SQS run needs one of the template's): see
// SQSEvent.LocalQueue.
func parseSQSEvent(r *resolver, name string, ev rawEvent) (SQSEvent, *eventError) {
	p := &ev.Properties
	out := SQSEvent{Name: name, BatchSize: 10, Enabled: true}
	out.QueueID, out.queueErr = r.queueRef(&p.Queue)
	var err error
	if out.Queue, _, err = r.str(&p.Queue); err != nil && out.queueErr == nil {
		return out, &eventError{"Queue", err}
	}
	if s, ok, err := r.str(&p.BatchSize); err != nil {
		return out, &eventError{"BatchSize", err}
	} else if ok {
		if out.BatchSize, err = strconv.Atoi(s); err != nil || out.BatchSize < 1 || out.BatchSize > 10000 {
			return out, &eventError{"BatchSize", fmt.Errorf("want a whole number from 1 to 10000, found %q", s)}
		}
	}
	if s, ok, err := r.str(&p.Enabled); err != nil {
		return out, &eventError{"Enabled", err}
	} else if ok {
		out.Enabled = s != "false"
	}
	types, err := r.stringList(&p.FunctionResponseTypes)
	if err != nil {
		return out, &eventError{"FunctionResponseTypes", err}
	}
	out.ReportBatchItemFailures = slices.Contains(types, "ReportBatchItemFailures")
	return out, nil
}

// isQueue reports whether id is an AWS::SQS::Queue of the template.
func (r *resolver) isQueue(id string) bool {
	res, ok := r.resources[id]
	return ok && res.Type == "AWS::SQS::Queue"
}

// queueRef resolves a reference to a queue of the template, !GetAtt Q.Arn,
// Fn::GetAtt [Q, Arn] or !Ref Q (the URL), to its logical id.
func (r *resolver) queueRef(n *yaml.Node) (string, error) {
	var id string
	switch {
	case n.Kind == 0:
		return "", fmt.Errorf("missing")
	case n.Tag == "!GetAtt" && n.Kind == yaml.ScalarNode:
		id, _, _ = strings.Cut(n.Value, ".")
	case n.Tag == "!GetAtt" && n.Kind == yaml.SequenceNode && len(n.Content) == 2:
		id = n.Content[0].Value
	case n.Tag == "!Ref" && n.Kind == yaml.ScalarNode:
		id = n.Value
	case n.Kind == yaml.MappingNode && len(n.Content) == 2:
		key, arg := n.Content[0].Value, n.Content[1]
		switch {
		case key == "Fn::GetAtt" && arg.Kind == yaml.SequenceNode && len(arg.Content) == 2:
			id = arg.Content[0].Value
		case key == "Fn::GetAtt" && arg.Kind == yaml.ScalarNode:
			id, _, _ = strings.Cut(arg.Value, ".")
		case key == "Ref" && arg.Kind == yaml.ScalarNode:
			id = arg.Value
		default:
			return "", fmt.Errorf("%s cannot be resolved locally; use !GetAtt <Queue>.Arn", key)
		}
	case n.Kind == yaml.ScalarNode && (!strings.HasPrefix(n.Tag, "!") || strings.HasPrefix(n.Tag, "!!")):
		return "", fmt.Errorf("%q is a queue outside this template, which a local run does not create; use !GetAtt <Queue>.Arn", n.Value)
	default:
		return "", fmt.Errorf("%s cannot be resolved locally; use !GetAtt <Queue>.Arn", n.Tag)
	}
	if !r.isQueue(id) {
		return "", fmt.Errorf("%q is not an AWS::SQS::Queue of this template", id)
	}
	return id, nil
}
