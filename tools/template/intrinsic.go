package template

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Local values of CloudFormation's pseudo parameters.
var pseudoParameters = map[string]string{
	"AWS::AccountId":        "123456789012",
	"AWS::Region":           "us-east-1",
	"AWS::Partition":        "aws",
	"AWS::URLSuffix":        "amazonaws.com",
	"AWS::StackName":        "local",
	"AWS::StackId":          "local",
	"AWS::NotificationARNs": "",
}

// noValue is AWS::NoValue: the property is treated as absent.
const noValue = "AWS::NoValue"

// ResourcePlaceholder is what !GetAtt to a resource resolves to outside the
// environment (an SQS event's queue, say), where a value is needed.
func ResourcePlaceholder(logicalID string) string { return "local-" + logicalID }

// errUnresolved marks a value sam local leaves unresolved in an environment
// variable (it then passes ""): !GetAtt, and intrinsics it does not evaluate.
var errUnresolved = errors.New("unresolved intrinsic")

// resolver evaluates the intrinsic functions a local run can evaluate.
type resolver struct {
	params    map[string]rawParameter
	overrides map[string]string // parameter values that win over Default
	resources map[string]rawResource
	// env is set while resolving an environment variable: sam local turns
	// what it cannot resolve there into "" instead of failing.
	env bool
	// deployed, when not nil, holds what a deployed stack's references
	// resolve to (see Outputs): a resource or pseudo parameter it lacks is
	// unresolved, not its logical id or local value.
	deployed map[string]string
}

func newResolver(raw *rawTemplate, overrides map[string]string) *resolver {
	return &resolver{params: raw.Parameters, overrides: overrides, resources: raw.Resources}
}

// envStr resolves an environment variable's value as sam local does: !Ref
// to a parameter gives its value, to a resource its logical id; !GetAtt, an
// intrinsic it does not evaluate, a list or a map give "". A reference to
// nothing is still an error: it is a typo that deploying would reject too.
func (r *resolver) envStr(n *yaml.Node) (string, bool, error) {
	er := *r
	er.env = true
	s, ok, err := er.str(n)
	if errors.Is(err, errUnresolved) || errors.Is(err, errNotString) {
		return "", true, nil
	}
	if err == nil && ok && n.Tag == "!!bool" {
		s = strings.ToLower(s) // YAML True reaches sam as a bool, which it writes "true"
	}
	return s, ok, err
}

// str resolves n to a string. ok is false when the value is absent (missing
// key, or !Ref AWS::NoValue).
func (r *resolver) str(n *yaml.Node) (s string, ok bool, err error) {
	switch n.Kind {
	case 0:
		return "", false, nil
	case yaml.AliasNode:
		return r.str(n.Alias)
	case yaml.DocumentNode:
		if len(n.Content) == 1 {
			return r.str(n.Content[0])
		}
	case yaml.MappingNode:
		// Long form: {"Ref": X}, {"Fn::Sub": ...}, ...
		if len(n.Content) == 2 && (n.Content[0].Value == "Ref" || strings.HasPrefix(n.Content[0].Value, "Fn::")) {
			return r.intrinsic(n.Content[0].Value, n.Content[1])
		}
		return "", false, fmt.Errorf("%w, found a map", errNotString)
	}
	if strings.HasPrefix(n.Tag, "!") && !strings.HasPrefix(n.Tag, "!!") {
		return r.intrinsic(n.Tag, n)
	}
	switch {
	case n.Kind == yaml.SequenceNode:
		return "", false, fmt.Errorf("%w, found a list", errNotString)
	case n.Tag == "!!null":
		return "", true, nil
	}
	return n.Value, true, nil
}

// intrinsic evaluates one intrinsic function; name is its short ("!Ref") or
// long ("Fn::GetAtt", "Ref") form, arg its argument.
func (r *resolver) intrinsic(name string, arg *yaml.Node) (string, bool, error) {
	switch strings.TrimPrefix(strings.TrimPrefix(name, "!"), "Fn::") {
	case "Ref":
		ref, _, err := r.plainScalar(arg)
		if err != nil {
			return "", false, err
		}
		return r.ref(ref)
	case "GetAtt":
		var target string
		switch arg.Kind {
		case yaml.ScalarNode:
			target, _, _ = strings.Cut(arg.Value, ".")
		case yaml.SequenceNode:
			if len(arg.Content) != 2 {
				return "", false, fmt.Errorf("%s takes [resource, attribute]", name)
			}
			target = arg.Content[0].Value
		default:
			return "", false, fmt.Errorf("%s takes \"Resource.Attribute\" or [resource, attribute]", name)
		}
		if _, ok := r.resources[target]; !ok {
			return "", false, &UnknownReferenceError{Name: target}
		}
		if r.env || r.deployed != nil {
			return "", false, errUnresolved
		}
		return ResourcePlaceholder(target), true, nil
	case "Sub":
		return r.sub(arg)
	case "Join":
		return r.join(arg)
	}
	if r.env {
		return "", false, errUnresolved
	}
	return "", false, &UnsupportedIntrinsicError{Name: name}
}

// plainScalar returns the value of a scalar node, ignoring its tag.
func (r *resolver) plainScalar(n *yaml.Node) (string, bool, error) {
	if n.Kind != yaml.ScalarNode {
		return "", false, errNotString
	}
	return n.Value, true, nil
}

func (r *resolver) ref(name string) (string, bool, error) {
	if name == noValue {
		return "", false, nil
	}
	if v, ok := r.deployed[name]; ok {
		return v, true, nil
	}
	if _, ok := r.params[name]; !ok && r.deployed != nil {
		return "", false, errUnresolved // a resource, SAM's own or a pseudo parameter
	}
	if v, ok := pseudoParameters[name]; ok {
		return v, true, nil
	}
	if p, ok := r.params[name]; ok {
		if v, ok := r.overrides[name]; ok {
			return v, true, nil
		}
		// A parameter without a Default (or override) resolves to "".
		s, _, err := r.str(&p.Default)
		return s, true, err
	}
	if _, ok := r.resources[name]; ok {
		return name, true, nil // sam local: a resource's !Ref is its logical id
	}
	return "", false, &UnknownReferenceError{Name: name}
}

// sub evaluates Fn::Sub: "text ${Name} ${Res.Attr} ${!Literal}", or
// [text, {Name: value}].
func (r *resolver) sub(arg *yaml.Node) (string, bool, error) {
	text := arg
	vars := map[string]string{}
	if arg.Kind == yaml.SequenceNode {
		if len(arg.Content) != 2 || arg.Content[1].Kind != yaml.MappingNode {
			return "", false, fmt.Errorf("Fn::Sub takes a string or [string, map]")
		}
		text = arg.Content[0]
		m := arg.Content[1]
		for i := 0; i+1 < len(m.Content); i += 2 {
			v, _, err := r.str(m.Content[i+1])
			if err != nil {
				return "", false, fmt.Errorf("Fn::Sub variable %s: %w", m.Content[i].Value, err)
			}
			vars[m.Content[i].Value] = v
		}
	}
	s, _, err := r.plainScalar(text)
	if err != nil {
		return "", false, fmt.Errorf("Fn::Sub: %w", err)
	}

	var b strings.Builder
	for {
		start := strings.Index(s, "${")
		if start < 0 {
			b.WriteString(s)
			return b.String(), true, nil
		}
		end := strings.IndexByte(s[start:], '}')
		if end < 0 {
			return "", false, fmt.Errorf("Fn::Sub: unterminated ${ in %q", s)
		}
		b.WriteString(s[:start])
		name := s[start+2 : start+end]
		s = s[start+end+1:]
		if literal, ok := strings.CutPrefix(name, "!"); ok {
			b.WriteString("${" + literal + "}")
			continue
		}
		if v, ok := vars[name]; ok {
			b.WriteString(v)
			continue
		}
		if res, _, ok := strings.Cut(name, "."); ok {
			if _, known := r.resources[res]; !known {
				return "", false, &UnknownReferenceError{Name: res}
			}
			if r.env || r.deployed != nil {
				return "", false, errUnresolved // ${Res.Attr} is a !GetAtt
			}
			b.WriteString(ResourcePlaceholder(res))
			continue
		}
		v, _, err := r.ref(name)
		if err != nil {
			return "", false, err
		}
		b.WriteString(v)
	}
}

// join evaluates Fn::Join: [delimiter, [values...]].
func (r *resolver) join(arg *yaml.Node) (string, bool, error) {
	if arg.Kind != yaml.SequenceNode || len(arg.Content) != 2 || arg.Content[1].Kind != yaml.SequenceNode {
		return "", false, fmt.Errorf("Fn::Join takes [delimiter, [values]]")
	}
	parts, err := r.stringList(arg.Content[1])
	if err != nil {
		return "", false, fmt.Errorf("Fn::Join: %w", err)
	}
	return strings.Join(parts, arg.Content[0].Value), true, nil
}

// stringList resolves a list of strings; an absent node gives nil.
func (r *resolver) stringList(n *yaml.Node) ([]string, error) {
	if n.Kind == 0 {
		return nil, nil
	}
	if n.Kind != yaml.SequenceNode {
		return nil, fmt.Errorf("expected a list")
	}
	out := make([]string, 0, len(n.Content))
	for _, item := range n.Content {
		s, ok, err := r.str(item)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, s)
		}
	}
	return out, nil
}

// int resolves n to an integer; ok is false when absent.
func (r *resolver) int(n *yaml.Node) (v int, ok bool, err error) {
	s, ok, err := r.str(n)
	if err != nil || !ok {
		return 0, ok, err
	}
	v, err = strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return 0, false, fmt.Errorf("expected an integer, found %q", s)
	}
	return v, true, nil
}
