package template

import (
	"slices"
	"testing"
)

func TestOutputs(t *testing.T) {
	tpl, err := ParseWith([]byte(`
Parameters:
  Stage: {Type: String, Default: Prod}
Resources:
  Queue: {Type: AWS::SQS::Queue}
  Logs: {Type: AWS::Logs::LogGroup}
Outputs:
  ApiDomain:
    Description: >
      The API's own domain.
    Value: !Sub ${ServerlessHttpApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}
  StageUrl:
    Value: !Sub "https://${ServerlessHttpApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}/${Stage}/"
  QueueUrl:
    Value: !Ref Queue
  QueueArn:
    Value: !GetAtt Queue.Arn
  LogGroupName:
    Value: !Ref Logs
  Literal:
    Value: plain
`), ParseOptions{Parameters: map[string]string{"Stage": "Dev"}})
	if err != nil {
		t.Fatal(err)
	}
	outs, unresolved, err := tpl.Outputs(map[string]string{
		"ServerlessHttpApi": "abc123",
		"AWS::Region":       "eu-west-1",
		"AWS::URLSuffix":    "amazonaws.com",
		"Queue":             "http://127.0.0.1:5000/123456789012/Queue",
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []Output{
		{"ApiDomain", "abc123.execute-api.eu-west-1.amazonaws.com", "The API's own domain."},
		{"StageUrl", "https://abc123.execute-api.eu-west-1.amazonaws.com/Dev/", ""},
		{"QueueUrl", "http://127.0.0.1:5000/123456789012/Queue", ""},
		{"Literal", "plain", ""},
	}
	if !slices.Equal(outs, want) {
		t.Errorf("outputs\n%v\nwant\n%v", outs, want)
	}
	// Not guessed: a !GetAtt, and a resource the stack does not run.
	if !slices.Equal(unresolved, []string{"QueueArn", "LogGroupName"}) {
		t.Errorf("unresolved %v, want [QueueArn LogGroupName]", unresolved)
	}

	// Without the pseudo parameters, the domain is not made up either.
	_, unresolved, err = tpl.Outputs(map[string]string{"ServerlessHttpApi": "abc123"})
	if err != nil || !slices.Contains(unresolved, "ApiDomain") {
		t.Errorf("without AWS::Region: unresolved %v, %v; want ApiDomain among them", unresolved, err)
	}
}
