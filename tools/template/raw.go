package template

import "gopkg.in/yaml.v3"

// Raw returns the node at keys in the template as written (intrinsics stay
// tagged nodes such as !Ref), or nil when a key is missing: for checks of
// the text itself, e.g. Raw("Globals", "Function", "Runtime").
func (t *Template) Raw(keys ...string) *yaml.Node { return Lookup(t.root, keys...) }

// Lookup walks mapping keys from n; it returns nil when a key is missing.
func Lookup(n *yaml.Node, keys ...string) *yaml.Node {
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

// Keys lists a mapping node's keys in the order written; nil for anything else.
func Keys(n *yaml.Node) []string {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	keys := make([]string, 0, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		keys = append(keys, n.Content[i].Value)
	}
	return keys
}
