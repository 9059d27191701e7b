package devstack

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/faas-grip/faas-grip-go/tools/template"
)

// OutputsFile is where make dev writes the stack's outputs in deployed
// mode, below the project directory: beside the local history (LocalEnv),
// not in .build/dev, make dev's own binary.
const OutputsFile = ".build/local/outputs.json"

// Outputs are the template's Outputs as this stack serves them in deployed
// mode (Options.Domain, of the form <api-id>.execute-api.<region>.<suffix>),
// shaped as CloudFormation's, so that what reads a deployed stack's outputs
// (make smoke) reads this one's the same way:
//
//   - ApiDomain and the other names of the API are the domain's;
//   - a URL at https://<domain> is, here, at the local gateway (APIURL):
//     a client reaches it there by sending Host: <domain>, as the gateway
//     serves no other Host;
//   - a queue's !Ref is its URL from queues (logical id to URL: the SQS
//     endpoint's queues), as in a deployed stack.
//
// Outputs naming what the stack does not run (a log group, an alarm) are
// returned in unresolved.
func (s *Stack) Outputs(queues map[string]string) (outs []template.Output, unresolved []string, err error) {
	id, region, suffix, ok := splitAPIDomain(s.domain)
	if !ok {
		return nil, nil, fmt.Errorf("devstack: outputs need the API's domain in the form <api-id>.execute-api.<region>.<suffix> (deployed mode), not %q", s.domain)
	}
	refs := map[string]string{
		"ServerlessHttpApi": id,
		"ServerlessRestApi": id,
		"AWS::Region":       region,
		"AWS::URLSuffix":    suffix,
	}
	for logicalID, url := range queues {
		refs[logicalID] = url
	}
	if outs, unresolved, err = s.Template.Outputs(refs); err != nil {
		return nil, nil, err
	}
	origin := "https://" + s.domain
	for i, o := range outs {
		if rest, ok := strings.CutPrefix(o.OutputValue, origin); ok && (rest == "" || strings.HasPrefix(rest, "/")) {
			outs[i].OutputValue = s.APIURL() + rest
		}
	}
	return outs, unresolved, nil
}

// splitAPIDomain splits "abc123.execute-api.us-east-1.amazonaws.com".
func splitAPIDomain(domain string) (id, region, suffix string, ok bool) {
	id, rest, ok1 := strings.Cut(domain, ".execute-api.")
	region, suffix, ok2 := strings.Cut(rest, ".")
	if !ok1 || !ok2 || id == "" || strings.Contains(id, ".") || region == "" || suffix == "" {
		return "", "", "", false
	}
	return id, region, suffix, true
}

// WriteOutputs writes outputs to path as JSON, in the shape of
// `aws cloudformation describe-stacks --query 'Stacks[0].Outputs'`,
// creating its directory.
func WriteOutputs(path string, outs []template.Output) error {
	b, err := json.MarshalIndent(outs, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}
