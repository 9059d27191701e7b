package sqspoll

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Template is what a local event source mapping needs from a SAM template.
type Template struct {
	// Queues are the AWS::SQS::Queue resources, sorted by logical id.
	Queues []Queue
	// EventSources are the functions' SQS events, sorted by function, then event.
	EventSources []EventSource
}

// Queue is an AWS::SQS::Queue resource.
type Queue struct {
	LogicalID string
	// Name is Properties.QueueName, else the logical id (with ".fifo" for a
	// FIFO queue), since a local run has no stack name to build one from.
	Name string
	// Attributes are the SQS attributes the properties set, by their SQS
	// names (VisibilityTimeout, MessageRetentionPeriod, DelaySeconds,
	// MaximumMessageSize, ReceiveMessageWaitTimeSeconds, FifoQueue,
	// ContentBasedDeduplication). RedrivePolicy is not among them.
	Attributes map[string]string
	// DeadLetterQueue is the logical id of the RedrivePolicy's
	// deadLetterTargetArn, empty without a RedrivePolicy.
	DeadLetterQueue string
	MaxReceiveCount int
}

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

// queueAttributes maps the AWS::SQS::Queue properties a local queue honours
// to their SQS attribute names (the same, as it happens).
var queueAttributes = []string{
	"VisibilityTimeout", "MessageRetentionPeriod", "DelaySeconds", "MaximumMessageSize",
	"ReceiveMessageWaitTimeSeconds", "FifoQueue", "ContentBasedDeduplication",
}

// LoadTemplate reads the template file at path.
func LoadTemplate(path string) (*Template, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("sqspoll: %w", err)
	}
	t, err := ReadTemplate(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return t, nil
}

type rawTemplate struct {
	Parameters map[string]struct {
		Default yaml.Node `yaml:"Default"`
	} `yaml:"Parameters"`
	Resources map[string]struct {
		Type       string    `yaml:"Type"`
		Properties yaml.Node `yaml:"Properties"`
	} `yaml:"Resources"`
}

type rawFunction struct {
	Events map[string]struct {
		Type       string `yaml:"Type"`
		Properties struct {
			Queue                 yaml.Node `yaml:"Queue"`
			BatchSize             yaml.Node `yaml:"BatchSize"`
			Enabled               yaml.Node `yaml:"Enabled"`
			FunctionResponseTypes yaml.Node `yaml:"FunctionResponseTypes"`
		} `yaml:"Properties"`
	} `yaml:"Events"`
}

// ReadTemplate reads the queues and SQS event sources of a SAM template.
// Intrinsic functions are resolved as far as a local run can: !GetAtt
// Queue.Arn and !Ref Queue name a queue of the template, !Ref Parameter
// gives the parameter's Default.
func ReadTemplate(data []byte) (*Template, error) {
	var raw rawTemplate
	if err := yaml.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("sqspoll: %w", err)
	}
	r := &resolver{params: map[string]*yaml.Node{}, queues: map[string]bool{}}
	for name, p := range raw.Parameters {
		r.params[name] = &p.Default
	}
	for id, res := range raw.Resources {
		if res.Type == "AWS::SQS::Queue" {
			r.queues[id] = true
		}
	}

	t := &Template{}
	for _, id := range slices.Sorted(maps.Keys(raw.Resources)) {
		res := raw.Resources[id]
		at := "Resources." + id + ".Properties."
		switch res.Type {
		case "AWS::SQS::Queue":
			q, err := r.queue(id, &res.Properties, at)
			if err != nil {
				return nil, err
			}
			t.Queues = append(t.Queues, q)
		case "AWS::Serverless::Function":
			var fn rawFunction
			if err := res.Properties.Decode(&fn); err != nil {
				return nil, fmt.Errorf("sqspoll: %s: %w", strings.TrimSuffix(at, "."), err)
			}
			for _, name := range slices.Sorted(maps.Keys(fn.Events)) {
				ev := fn.Events[name]
				if ev.Type != "SQS" {
					continue
				}
				p := &ev.Properties
				at := at + "Events." + name + ".Properties."
				es := EventSource{Function: id, Event: name, BatchSize: 10, Enabled: true}
				var err error
				if es.Queue, err = r.queueRef(&p.Queue); err != nil {
					return nil, fieldError(at+"Queue", err)
				}
				if s, ok, err := r.scalar(&p.BatchSize); err != nil {
					return nil, fieldError(at+"BatchSize", err)
				} else if ok {
					if es.BatchSize, err = strconv.Atoi(s); err != nil || es.BatchSize < 1 || es.BatchSize > 10000 {
						return nil, fieldError(at+"BatchSize", fmt.Errorf("want a whole number from 1 to 10000, found %q", s))
					}
				}
				if s, ok, err := r.scalar(&p.Enabled); err != nil {
					return nil, fieldError(at+"Enabled", err)
				} else if ok {
					es.Enabled = s != "false"
				}
				types, err := r.list(&p.FunctionResponseTypes)
				if err != nil {
					return nil, fieldError(at+"FunctionResponseTypes", err)
				}
				es.ReportBatchItemFailures = slices.Contains(types, "ReportBatchItemFailures")
				t.EventSources = append(t.EventSources, es)
			}
		}
	}
	for _, q := range t.Queues {
		if q.DeadLetterQueue != "" && !r.queues[q.DeadLetterQueue] {
			return nil, fieldError("Resources."+q.LogicalID+".Properties.RedrivePolicy.deadLetterTargetArn",
				fmt.Errorf("%q is not an AWS::SQS::Queue of this template", q.DeadLetterQueue))
		}
	}
	return t, nil
}

func fieldError(path string, err error) error {
	return fmt.Errorf("sqspoll: %s: %w", path, err)
}

type resolver struct {
	params map[string]*yaml.Node
	queues map[string]bool // logical ids of the template's queues
}

func (r *resolver) queue(id string, props *yaml.Node, at string) (Queue, error) {
	q := Queue{LogicalID: id, Attributes: map[string]string{}}
	var fields map[string]yaml.Node
	if props.Kind != 0 {
		if err := props.Decode(&fields); err != nil {
			return q, fieldError(strings.TrimSuffix(at, "."), err)
		}
	}
	for _, name := range queueAttributes {
		n, ok := fields[name]
		if !ok {
			continue
		}
		v, ok, err := r.scalar(&n)
		if err != nil {
			return q, fieldError(at+name, err)
		}
		if ok {
			q.Attributes[name] = v
		}
	}
	if n, ok := fields["QueueName"]; ok {
		name, _, err := r.scalar(&n)
		if err != nil {
			return q, fieldError(at+"QueueName", err)
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
			return q, fieldError(at+"RedrivePolicy", err)
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
	s, _, err := r.scalar(&count)
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
	if !r.queues[id] {
		return "", fmt.Errorf("%q is not an AWS::SQS::Queue of this template", id)
	}
	return id, nil
}

// scalar resolves a plain value or !Ref to a parameter. ok is false when
// the value is absent.
func (r *resolver) scalar(n *yaml.Node) (string, bool, error) {
	switch {
	case n.Kind == 0:
		return "", false, nil
	case n.Tag == "!Ref" && n.Kind == yaml.ScalarNode:
		return r.param(n.Value)
	case n.Kind == yaml.MappingNode && len(n.Content) == 2 && n.Content[0].Value == "Ref":
		return r.param(n.Content[1].Value)
	case n.Kind == yaml.ScalarNode && (!strings.HasPrefix(n.Tag, "!") || strings.HasPrefix(n.Tag, "!!")):
		return n.Value, true, nil
	}
	return "", false, fmt.Errorf("want a plain value or !Ref to a parameter")
}

func (r *resolver) param(name string) (string, bool, error) {
	if name == "AWS::NoValue" {
		return "", false, nil
	}
	def, ok := r.params[name]
	if !ok {
		return "", false, fmt.Errorf("!Ref %s: not a parameter of this template", name)
	}
	if def.Kind == 0 {
		return "", false, fmt.Errorf("!Ref %s: the parameter has no Default to use locally", name)
	}
	return r.scalar(def)
}

func (r *resolver) list(n *yaml.Node) ([]string, error) {
	if n.Kind == 0 {
		return nil, nil
	}
	if n.Kind != yaml.SequenceNode {
		return nil, fmt.Errorf("want a list")
	}
	var out []string
	for _, c := range n.Content {
		s, ok, err := r.scalar(c)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, s)
		}
	}
	return out, nil
}
