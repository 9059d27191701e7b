package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestListsTheTemplatesFunctions(t *testing.T) {
	path := filepath.Join(t.TempDir(), "template.yaml")
	err := os.WriteFile(path, []byte(`
Resources:
  Queue: {Type: AWS::SQS::Queue}
  MyfeatureFunction: {Type: AWS::Serverless::Function}
  ChatFunction: {Type: AWS::Serverless::Function}
`), 0o644)
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	if err := list(&out, path); err != nil {
		t.Fatal(err)
	}
	if got, want := out.String(), "ChatFunction\nMyfeatureFunction\n"; got != want {
		t.Errorf("listed %q, want %q", got, want)
	}
}
