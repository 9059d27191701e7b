package sqspoll

import (
	"reflect"
	"strings"
	"testing"

	"github.com/faas-grip/faas-grip-go/tools/template"
)

// The project's own template: the publish queue, its dead-letter queue and
// the publish function's event source.
func TestLoadProjectTemplate(t *testing.T) {
	tmpl, err := LoadTemplate("../../../template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	wantQueues := []Queue{
		{LogicalID: "PublishDeadLetterQueue", Name: "PublishDeadLetterQueue", Attributes: map[string]string{"MessageRetentionPeriod": "1209600"}},
		{LogicalID: "PublishQueue", Name: "PublishQueue", Attributes: map[string]string{"VisibilityTimeout": "180"},
			DeadLetterQueue: "PublishDeadLetterQueue", MaxReceiveCount: 5},
	}
	if !reflect.DeepEqual(tmpl.Queues, wantQueues) {
		t.Errorf("Queues\n got %+v\nwant %+v", tmpl.Queues, wantQueues)
	}
	wantSources := []EventSource{{Function: "PublishFunction", Event: "Queue", Queue: "PublishQueue", BatchSize: 10,
		ReportBatchItemFailures: true, Enabled: true}}
	// A deleted publish sample leaves its queues and takes its event source.
	if full, err := template.Load("../../../template.yaml"); err != nil {
		t.Fatal(err)
	} else if _, ok := full.Function("PublishFunction"); !ok {
		t.Log("PublishFunction is not in template.yaml: no event source expected")
		wantSources = nil
	}
	if !reflect.DeepEqual(tmpl.EventSources, wantSources) {
		t.Errorf("EventSources\n got %+v\nwant %+v", tmpl.EventSources, wantSources)
	}
}

func TestReadTemplate(t *testing.T) {
	const head = `
Parameters:
  Batch: {Type: Number, Default: 7}
  NoDefault: {Type: Number}
Resources:
  DLQ:
    Type: AWS::SQS::Queue
  Other:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        Api: {Type: Api, Properties: {Path: /, Method: get}}
`
	tests := []struct {
		name       string
		yaml       string
		wantQueue  *Queue       // the queue "Q", when it should parse
		wantSource *EventSource // the only event source, when it should parse
		wantErr    string
	}{
		{name: "long forms, JSON RedrivePolicy, FIFO name",
			yaml: `
  Q:
    Type: AWS::SQS::Queue
    Properties:
      FifoQueue: true
      DelaySeconds: 2
      RedrivePolicy: '{"deadLetterTargetArn": "x", "maxReceiveCount": 3}'
`,
			wantErr: `"x" is a queue outside this template`},
		{name: "Fn::GetAtt list, !Ref parameter, disabled, no response types",
			yaml: `
  Q:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: named
      FifoQueue: true
      RedrivePolicy: {deadLetterTargetArn: {"Fn::GetAtt": [DLQ, Arn]}, maxReceiveCount: "4"}
  F:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        E:
          Type: SQS
          Properties: {Queue: {"Fn::GetAtt": [Q, Arn]}, BatchSize: !Ref Batch, Enabled: false}
`,
			wantQueue: &Queue{LogicalID: "Q", Name: "named", Attributes: map[string]string{"FifoQueue": "true"},
				DeadLetterQueue: "DLQ", MaxReceiveCount: 4},
			wantSource: &EventSource{Function: "F", Event: "E", Queue: "Q", BatchSize: 7}},
		{name: "FIFO without a name, !GetAtt [Q, Arn], default batch",
			yaml: `
  Q:
    Type: AWS::SQS::Queue
    Properties: {FifoQueue: true, VisibilityTimeout: 60}
  F:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        E: {Type: SQS, Properties: {Queue: !GetAtt [Q, Arn], FunctionResponseTypes: [ReportBatchItemFailures]}}
`,
			wantQueue:  &Queue{LogicalID: "Q", Name: "Q.fifo", Attributes: map[string]string{"FifoQueue": "true", "VisibilityTimeout": "60"}},
			wantSource: &EventSource{Function: "F", Event: "E", Queue: "Q", BatchSize: 10, ReportBatchItemFailures: true, Enabled: true}},
		{name: "dead-letter queue not in the template",
			yaml: `
  Q:
    Type: AWS::SQS::Queue
    Properties: {RedrivePolicy: {deadLetterTargetArn: !GetAtt Nope.Arn, maxReceiveCount: 2}}
`,
			wantErr: `"Nope" is not an AWS::SQS::Queue`},
		{name: "maxReceiveCount zero",
			yaml: `
  Q:
    Type: AWS::SQS::Queue
    Properties: {RedrivePolicy: {deadLetterTargetArn: !GetAtt DLQ.Arn, maxReceiveCount: 0}}
`,
			wantErr: "maxReceiveCount: want a whole number"},
		{name: "event on an external queue",
			yaml: `
  F:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        E: {Type: SQS, Properties: {Queue: "arn:aws:sqs:us-east-1:123456789012:elsewhere"}}
`,
			wantErr: "Resources.F.Properties.Events.E.Properties.Queue"},
		{name: "batch size from a parameter without a default",
			yaml: `
  F:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        E: {Type: SQS, Properties: {Queue: !GetAtt DLQ.Arn, BatchSize: !Ref NoDefault}}
`,
			wantErr: "BatchSize: want a whole number"},
		{name: "batch size too large",
			yaml: `
  F:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        E: {Type: SQS, Properties: {Queue: !GetAtt DLQ.Arn, BatchSize: 10001}}
`,
			wantErr: "BatchSize: want a whole number from 1 to 10000"},
		{name: "a Sub it cannot resolve",
			yaml: `
  F:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        E: {Type: SQS, Properties: {Queue: !Sub "${DLQ.Arn}"}}
`,
			wantErr: "!Sub cannot be resolved locally"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tmpl, err := ReadTemplate([]byte(head + tc.yaml))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want one with %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tc.wantQueue != nil {
				var got *Queue
				for i := range tmpl.Queues {
					if tmpl.Queues[i].LogicalID == "Q" {
						got = &tmpl.Queues[i]
					}
				}
				if !reflect.DeepEqual(got, tc.wantQueue) {
					t.Errorf("queue Q\n got %+v\nwant %+v", got, tc.wantQueue)
				}
			}
			if tc.wantSource != nil {
				if len(tmpl.EventSources) != 1 || !reflect.DeepEqual(tmpl.EventSources[0], *tc.wantSource) {
					t.Errorf("event sources\n got %+v\nwant [%+v]", tmpl.EventSources, *tc.wantSource)
				}
			}
		})
	}
}
