package template

import (
	"errors"
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"
)

// Output is one of a stack's outputs, spelled as CloudFormation's
// DescribeStacks spells it (`aws cloudformation describe-stacks --query
// 'Stacks[0].Outputs'`), so that a local stack's outputs read exactly like
// a deployed one's.
type Output struct {
	OutputKey   string
	OutputValue string
	Description string `json:",omitempty"`
}

// Outputs resolves the template's Outputs as a deployed stack would, given
// what its references resolve to there: refs maps a resource's logical id
// (SAM's own too, such as ServerlessHttpApi) to its !Ref value, and may
// give pseudo parameters (AWS::Region). Parameters resolve to their values,
// as everywhere in this package. An output that needs anything refs lacks
// (another resource, a !GetAtt) is not guessed: its key is listed in
// unresolved instead. Conditions on outputs are not evaluated.
func (t *Template) Outputs(refs map[string]string) (outs []Output, unresolved []string, err error) {
	var raw rawTemplate
	if err := t.root.Decode(&raw); err != nil {
		return nil, nil, fmt.Errorf("template: %w", err)
	}
	r := newResolver(&raw, t.opts.Parameters)
	r.deployed = refs
	if r.deployed == nil {
		r.deployed = map[string]string{}
	}
	section := t.Raw("Outputs")
	for _, key := range Keys(section) {
		out := Lookup(section, key)
		value, _, err := r.str(orEmpty(Lookup(out, "Value")))
		var unknown *UnknownReferenceError
		switch {
		case errors.Is(err, errUnresolved), errors.As(err, &unknown):
			unresolved = append(unresolved, key)
			continue
		case err != nil:
			return nil, nil, &FieldError{Path: "Outputs." + key + ".Value", Err: err}
		}
		desc, _, err := r.str(orEmpty(Lookup(out, "Description")))
		if err != nil {
			desc = ""
		}
		// A folded (>) description ends with a newline; CloudFormation's does not.
		outs = append(outs, Output{OutputKey: key, OutputValue: value, Description: strings.TrimSpace(desc)})
	}
	return outs, unresolved, nil
}

// orEmpty stands for an absent node.
func orEmpty(n *yaml.Node) *yaml.Node {
	if n == nil {
		return &yaml.Node{}
	}
	return n
}
