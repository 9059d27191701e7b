package template

import (
	"reflect"
	"testing"
)

// What `sam local` gives an environment variable's value
// (samcli/local/lambdafn/env_vars.py and its intrinsic resolver).
func TestEnvironmentResolvesAsSamLocal(t *testing.T) {
	const head = "Parameters:\n  P:\n    Type: String\n    Default: dflt\n  NoDefault:\n    Type: String\n" +
		"Resources:\n  Q:\n    Type: AWS::SQS::Queue\n  F:\n    Type: AWS::Serverless::Function\n    Properties:\n      Environment:\n        Variables:\n          X: "
	for _, tc := range []struct {
		name, value string
		params      map[string]string
		want        string
	}{
		{"literal", "hello", nil, "hello"},
		{"number", "42", nil, "42"},
		{"YAML bool", "True", nil, "true"},
		{"empty", `""`, nil, ""},
		{"null", "null", nil, ""},
		{"parameter default", "!Ref P", nil, "dflt"},
		{"parameter override", "!Ref P", map[string]string{"P": "over"}, "over"},
		{"parameter without default", "!Ref NoDefault", nil, ""},
		{"resource ref is the logical id", "!Ref Q", nil, "Q"},
		{"pseudo parameter", "!Ref AWS::Region", nil, "us-east-1"},
		{"GetAtt is unresolved", "!GetAtt Q.Arn", nil, ""},
		{"Sub of a parameter", `!Sub "${P}-x"`, nil, "dflt-x"},
		{"Sub with a GetAtt is unresolved", `!Sub "${Q.Arn}"`, nil, ""},
		{"If is unresolved", "!If [c, a, b]", nil, ""},
		{"FindInMap is unresolved", "!FindInMap [m, a, b]", nil, ""},
		{"a list is blank", "[a, b]", nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tpl, err := ParseWith([]byte(head+tc.value+"\n"), ParseOptions{Parameters: tc.params})
			if err != nil {
				t.Fatal(err)
			}
			got, ok := tpl.Functions[0].Environment["X"]
			if !ok || got != tc.want {
				t.Errorf("X = %q (declared %v), want %q", got, ok, tc.want)
			}
		})
	}
}

func TestAPIEventKinds(t *testing.T) {
	const tpl = `
Resources:
  MyHttpApi:
    Type: AWS::Serverless::HttpApi
  F:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        Rest:
          Type: Api
          Properties: {Path: /rest, Method: post}
        Http:
          Type: HttpApi
          Properties: {Path: /http, Method: get}
        HttpAny:
          Type: HttpApi
          Properties: {Path: "/any/{proxy+}", Method: ANY, ApiId: !Ref MyHttpApi}
        HttpV1:
          Type: HttpApi
          Properties: {Path: /v1, Method: get, PayloadFormatVersion: "1.0"}
        Default:
          Type: HttpApi
`
	got, err := Parse([]byte(tpl))
	if err != nil {
		t.Fatal(err)
	}
	want := []APIEvent{
		{Name: "Default", Kind: KindHTTPAPI, Path: DefaultRoute, Method: "ANY", PayloadFormatVersion: "2.0"},
		{Name: "Http", Kind: KindHTTPAPI, Path: "/http", Method: "GET", PayloadFormatVersion: "2.0"},
		{Name: "HttpAny", Kind: KindHTTPAPI, Path: "/any/{proxy+}", Method: "ANY", APIID: "MyHttpApi", PayloadFormatVersion: "2.0"},
		{Name: "HttpV1", Kind: KindHTTPAPI, Path: "/v1", Method: "GET", PayloadFormatVersion: "1.0"},
		{Name: "Rest", Kind: KindRestAPI, Path: "/rest", Method: "POST", PayloadFormatVersion: "1.0"},
	}
	if !reflect.DeepEqual(got.Functions[0].APIEvents, want) {
		t.Errorf("APIEvents =\n%+v\nwant\n%+v", got.Functions[0].APIEvents, want)
	}
}
