package samcheck

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
)

// gripSecrets are the conditions under which the stack creates a GRIP
// secret of its own, and the parameter that names an existing one instead.
var gripSecrets = map[string]string{
	"CreateGripUrlSecret":    "GripUrlSecretArn",
	"CreateGripVerifySecret": "GripVerifyUrlSecretArn",
}

// ownSecret is v as deployed with the stack's own GRIP secrets (the
// parameters' defaults): {"Fn::If": ["CreateGripUrlSecret", own, given]} is
// own. The other tests read that path; TestGivenGripSecrets the other.
func ownSecret(v any) any {
	branches := asList(asMap(v)["Fn::If"])
	if len(branches) == 3 {
		if cond, _ := branches[0].(string); gripSecrets[cond] != "" {
			return branches[1]
		}
	}
	return v
}

// TestGivenGripSecrets deploys the translated template on paper with
// existing secrets named by GripUrlSecretArn and GripVerifyUrlSecretArn (what
// the pipeline does): no secret is created, and each function's
// GRIP_URL_SECRET_ARN and its role name the given ARN its sample reads, and
// no other secret. With the defaults, the stack's own secrets exist.
func TestGivenGripSecrets(t *testing.T) {
	cfn := translate(t)
	tmpl, err := LoadTemplate()
	if err != nil {
		t.Fatal(err)
	}
	given := map[string]string{
		"GripUrlSecretArn":       "arn:aws:secretsmanager:eu-west-1:123456789012:secret:faas-grip/url-AbC123",
		"GripVerifyUrlSecretArn": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:faas-grip/verify-DeF456",
	}
	// The secret each sample's own-secret path names, as the given ARN.
	givenFor := map[string]string{"GripUrlSecret": given["GripUrlSecretArn"], "GripVerifySecret": given["GripVerifyUrlSecretArn"]}

	own := deployed(t, cfn, nil)
	for _, id := range []string{"GripUrlSecret", "GripVerifySecret"} {
		if own.Resources[id].Type != "AWS::SecretsManager::Secret" {
			t.Errorf("with the default parameters, no secret %s: the stack must create it from the GRIP URL parameter", id)
		}
	}

	dep := deployed(t, cfn, given)
	for id, r := range dep.Resources {
		if r.Type == "AWS::SecretsManager::Secret" {
			t.Errorf("secret %s is created although both GRIP secrets are given by ARN", id)
		}
	}
	for _, fn := range tmpl.Functions {
		t.Run(fn.LogicalID, func(t *testing.T) {
			env := mapAt(dep.Resources[fn.LogicalID].Properties, "Environment", "Variables")
			arn, _ := env["GRIP_URL_SECRET_ARN"].(string)
			if !slices.Contains(slices.Collect(maps.Values(given)), arn) {
				t.Fatalf("GRIP_URL_SECRET_ARN = %v, want one of the given ARNs %v (the stack's own secret does not exist)", describe(env["GRIP_URL_SECRET_ARN"]), slices.Sorted(maps.Values(given)))
			}
			if want, ok := sampleSecrets[fn.LogicalID]; ok && arn != givenFor[want] {
				t.Errorf("GRIP_URL_SECRET_ARN = %s, want %s (in place of %s)", arn, givenFor[want], want)
			}
			var read []string
			for _, p := range asList(dep.Resources[fn.LogicalID+"Role"].Properties["Policies"]) {
				for _, st := range asList(mapAt(asMap(p), "PolicyDocument")["Statement"]) {
					if slices.Contains(asList(asMap(st)["Action"]), any("secretsmanager:GetSecretValue")) {
						for _, res := range asList(asMap(st)["Resource"]) {
							read = append(read, fmt.Sprint(res))
						}
					}
				}
			}
			if !slices.Equal(read, []string{arn}) {
				t.Errorf("the role may read the secrets %q, want exactly [%s]", read, arn)
			}
		})
	}
}

// deployed is the translated template as CloudFormation would create it
// with params (the others at their defaults): conditions evaluated,
// resources whose condition is false dropped, Fn::If resolved,
// AWS::NoValue removed, Refs to parameters and Fn::Sub over them replaced
// by their values. Other intrinsics are left as they are.
func deployed(t *testing.T, cfn *cfnTemplate, params map[string]string) *cfnTemplate {
	t.Helper()
	r := resolver{cfn: cfn, params: params, conds: map[string]bool{}}
	out := &cfnTemplate{Parameters: cfn.Parameters, Resources: map[string]cfnResource{}}
	for id, res := range cfn.Resources {
		if res.Condition != "" && !r.condition(res.Condition) {
			continue
		}
		res.Properties, _ = r.resolve(res.Properties).(map[string]any)
		out.Resources[id] = res
	}
	if r.err != nil {
		t.Fatal(r.err)
	}
	return out
}

type resolver struct {
	cfn    *cfnTemplate
	params map[string]string
	conds  map[string]bool
	err    error
}

var noValue = &struct{}{}

func (r *resolver) param(name string) (string, bool) {
	if v, ok := r.params[name]; ok {
		return v, true
	}
	p, ok := r.cfn.Parameters[name]
	if !ok {
		return "", false
	}
	return fmt.Sprint(asMap(p)["Default"]), true
}

func (r *resolver) condition(name string) bool {
	if v, ok := r.conds[name]; ok {
		return v
	}
	expr, ok := r.cfn.Conditions[name]
	if !ok {
		r.fail("no condition %s", name)
	}
	v := r.eval(expr)
	r.conds[name] = v
	return v
}

func (r *resolver) eval(expr any) bool {
	m := asMap(expr)
	args := asList(m[onlyKey(m)])
	switch onlyKey(m) {
	case "Condition":
		name, _ := m["Condition"].(string)
		return r.condition(name)
	case "Fn::Not":
		return !r.eval(args[0])
	case "Fn::And", "Fn::Or":
		and := onlyKey(m) == "Fn::And"
		for _, a := range args {
			if r.eval(a) != and {
				return !and
			}
		}
		return and
	case "Fn::Equals":
		return fmt.Sprint(r.resolve(args[0])) == fmt.Sprint(r.resolve(args[1]))
	}
	r.fail("condition %v: not evaluated", expr)
	return false
}

func (r *resolver) resolve(v any) any {
	switch v := v.(type) {
	case []any:
		out := []any{}
		for _, e := range v {
			if e := r.resolve(e); e != noValue {
				out = append(out, e)
			}
		}
		return out
	case map[string]any:
		switch key := onlyKey(v); key {
		case "Ref":
			name, _ := v["Ref"].(string)
			if name == "AWS::NoValue" {
				return noValue
			}
			if val, ok := r.param(name); ok {
				return val
			}
		case "Fn::If":
			b := asList(v["Fn::If"])
			cond, _ := b[0].(string)
			if r.condition(cond) {
				return r.resolve(b[1])
			}
			return r.resolve(b[2])
		case "Fn::Sub":
			// SAM's policy templates: ["${var}", {"var": value}] with a value
			// that resolves to a string.
			if sub := asList(v["Fn::Sub"]); len(sub) == 2 {
				s, _ := sub[0].(string)
				vars := asMap(r.resolve(sub[1]))
				done := true
				for name, val := range vars {
					str, ok := val.(string)
					done = done && ok
					s = strings.ReplaceAll(s, "${"+name+"}", str)
				}
				if done && !strings.Contains(s, "${") {
					return s
				}
				return map[string]any{"Fn::Sub": []any{sub[0], vars}}
			}
		}
		out := map[string]any{}
		for k, e := range v {
			if e := r.resolve(e); e != noValue {
				out[k] = e
			}
		}
		return out
	}
	return v
}

func (r *resolver) fail(format string, args ...any) {
	if r.err == nil {
		r.err = fmt.Errorf(format, args...)
	}
}

// onlyKey is the key of a one-key object (an intrinsic function), or "".
func onlyKey(m map[string]any) string {
	if len(m) != 1 {
		return ""
	}
	for k := range m {
		return k
	}
	return ""
}
