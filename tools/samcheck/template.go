package samcheck

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"

	"gopkg.in/yaml.v3"
)

// Root is the repository root.
func Root() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// LoadTemplate parses template.yaml into a node tree; CloudFormation's short
// tags (!Ref, !Sub, !GetAtt) stay as tagged nodes.
func LoadTemplate() (*yaml.Node, error) {
	b, err := os.ReadFile(filepath.Join(Root(), "template.yaml"))
	if err != nil {
		return nil, err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("template.yaml: %w", err)
	}
	if len(doc.Content) == 0 {
		return nil, fmt.Errorf("template.yaml is empty")
	}
	return doc.Content[0], nil
}

// Get walks mapping keys; it returns nil when a key is missing.
func Get(n *yaml.Node, keys ...string) *yaml.Node {
	for _, k := range keys {
		if n == nil || n.Kind != yaml.MappingNode {
			return nil
		}
		var next *yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == k {
				next = n.Content[i+1]
				break
			}
		}
		n = next
	}
	return n
}

// Function is a template function as sam build sees it.
type Function struct {
	LogicalID   string
	BuildMethod string
	CodeURI     string
	Node        *yaml.Node
}

// Functions lists the template's AWS::Serverless::Function resources in order.
func Functions(tmpl *yaml.Node) []Function {
	var fns []Function
	res := Get(tmpl, "Resources")
	if res == nil {
		return nil
	}
	for i := 0; i+1 < len(res.Content); i += 2 {
		r := res.Content[i+1]
		if t := Get(r, "Type"); t == nil || t.Value != "AWS::Serverless::Function" {
			continue
		}
		f := Function{LogicalID: res.Content[i].Value, Node: r}
		if m := Get(r, "Metadata", "BuildMethod"); m != nil {
			f.BuildMethod = m.Value
		}
		if c := Get(r, "Properties", "CodeUri"); c != nil {
			f.CodeURI = c.Value
		}
		fns = append(fns, f)
	}
	return fns
}
