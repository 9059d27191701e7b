package devstack

import (
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/faas-grip/faas-grip-go/tools/template"
)

// TestOutputs resolves the repository's template.yaml Outputs as a stack in
// deployed mode serves them, and writes them in DescribeStacks' shape.
func TestOutputs(t *testing.T) {
	tpl, err := template.Load(filepath.Join("..", "..", "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	s := &Stack{Template: tpl, apiLn: ln, domain: "abc123.execute-api.eu-west-1.amazonaws.com"}
	queue := "http://127.0.0.1:5000/123456789012/PublishQueue"
	outs, unresolved, err := s.Outputs(map[string]string{"PublishQueue": queue})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, o := range outs {
		got[o.OutputKey] = o.OutputValue
	}
	if _, ok := tpl.Function("StreamFunction"); ok && got["StreamUrl"] != s.APIURL()+"/stream" {
		t.Errorf("StreamUrl %q, want the local gateway's %s/stream", got["StreamUrl"], s.APIURL())
	}
	if got["ApiDomain"] != s.domain {
		t.Errorf("ApiDomain %q, want %q", got["ApiDomain"], s.domain)
	}
	if got["PublishQueueUrl"] != queue {
		t.Errorf("PublishQueueUrl %q, want %q", got["PublishQueueUrl"], queue)
	}
	// No queue given for the dead-letter queue, and no log group here.
	for _, key := range []string{"PublishDeadLetterQueueUrl", "LogGroupName"} {
		if !slices.Contains(unresolved, key) {
			t.Errorf("%s resolved to %q; want it among the unresolved %v", key, got[key], unresolved)
		}
	}

	path := filepath.Join(t.TempDir(), "dev", "outputs.json")
	if err := WriteOutputs(path, outs); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var back []map[string]string
	if err := json.Unmarshal(b, &back); err != nil || len(back) != len(outs) || back[0]["OutputKey"] == "" || back[0]["OutputValue"] == "" {
		t.Errorf("written %s: %v, want [{OutputKey, OutputValue, Description}...]", b, err)
	}

	s.domain = "localhost"
	if _, _, err := s.Outputs(nil); err == nil {
		t.Error("outputs for a domain that is no API's: no error")
	}
}
