package smoke

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"

	"github.com/faas-grip/faas-grip-go/tools/template"
)

// Outputs are a stack's outputs by key: ApiDomain, StreamUrl, PublishQueueUrl...
type Outputs map[string]string

// ReadOutputs reads outputs from JSON as CloudFormation spells them: the
// list `aws cloudformation describe-stacks --query 'Stacks[0].Outputs'`
// prints (what make dev writes), or the whole describe-stacks answer (its
// one stack).
func ReadOutputs(data []byte) (Outputs, error) {
	data = bytes.TrimSpace(data)
	var list []template.Output
	if bytes.HasPrefix(data, []byte("{")) {
		var doc struct {
			Stacks []struct{ Outputs []template.Output }
		}
		if err := json.Unmarshal(data, &doc); err != nil {
			return nil, err
		}
		if len(doc.Stacks) != 1 {
			return nil, fmt.Errorf("want one stack in the describe-stacks answer, found %d", len(doc.Stacks))
		}
		list = doc.Stacks[0].Outputs
	} else if err := json.Unmarshal(data, &list); err != nil {
		return nil, fmt.Errorf("want CloudFormation's outputs ([{\"OutputKey\": ..., \"OutputValue\": ...}]): %w", err)
	}
	out := Outputs{}
	for _, o := range list {
		out[o.OutputKey] = o.OutputValue
	}
	return out, nil
}

// ReadOutputsFile is ReadOutputs of a file.
func ReadOutputsFile(path string) (Outputs, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	out, err := ReadOutputs(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return out, nil
}

// StackOutputs asks CloudFormation (DescribeStacks) for a deployed stack's
// outputs.
func StackOutputs(ctx context.Context, cfn cloudformation.DescribeStacksAPIClient, stack string) (Outputs, error) {
	resp, err := cfn.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(stack)})
	if err != nil {
		if strings.Contains(err.Error(), "does not exist") {
			return nil, fmt.Errorf("no stack %q in this region: check STACK and AWS_REGION", stack)
		}
		return nil, fmt.Errorf("CloudFormation DescribeStacks %s: %w (check AWS credentials and AWS_REGION)", stack, err)
	}
	if len(resp.Stacks) != 1 {
		return nil, fmt.Errorf("CloudFormation DescribeStacks %s: %d stacks, want 1", stack, len(resp.Stacks))
	}
	out := Outputs{}
	for _, o := range resp.Stacks[0].Outputs {
		out[aws.ToString(o.OutputKey)] = aws.ToString(o.OutputValue)
	}
	return out, nil
}

// clientPath is where clients reach the route of the output key at the
// proxy: the output URL's path below ApiUrl's (a REST API's stage is the
// proxy's to add), e.g. "/stream".
func (o Outputs) clientPath(key string) (string, error) {
	u, err := url.Parse(o[key])
	if err != nil {
		return "", fmt.Errorf("output %s: %w", key, err)
	}
	path := u.Path
	if base, err := url.Parse(o["ApiUrl"]); err == nil && o["ApiUrl"] != "" {
		path = strings.TrimPrefix(path, strings.TrimSuffix(base.Path, "/"))
	}
	if !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	return path, nil
}
