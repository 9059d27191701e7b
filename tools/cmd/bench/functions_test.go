package main

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// The functions measured are the template's: a sample on its own event, a
// fork on its first events/<name>-*.json, one without events left out.
func TestTemplateFunctions(t *testing.T) {
	root := t.TempDir()
	write := func(rel, text string) {
		t.Helper()
		p := filepath.Join(root, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("template.yaml", `
Resources:
  ChatFunction:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        Page: {Type: HttpApi, Properties: {Path: /chat, Method: get}}
  MyfeatureFunction:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        Get: {Type: HttpApi, Properties: {Path: /myfeature, Method: get}}
  NoEventsFunction:
    Type: AWS::Serverless::Function
`)
	write("events/myfeature-b.json", "{}")
	write("events/myfeature-a.json", "{}")

	fns, skipped, err := templateFunctions(root)
	if err != nil {
		t.Fatal(err)
	}
	want := []fnSpec{{"ChatFunction", "chat-message.json", true}, {"MyfeatureFunction", "myfeature-a.json", true}}
	if !reflect.DeepEqual(fns, want) {
		t.Errorf("functions %+v, want %+v", fns, want)
	}
	if len(skipped) != 1 {
		t.Errorf("skipped %q, want NoEventsFunction alone", skipped)
	}
}
