// Package awsenv builds the AWS SDK configuration of a Lambda function straight
// from the environment the Lambda runtime sets (AWS_REGION and the role's
// AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN).
//
// Why not config.LoadDefaultConfig: it links SSO, STS, IMDS and shared-file
// support that a Lambda function never uses, which adds megabytes to every
// bootstrap and milliseconds to every cold start.
package awsenv

import (
	"errors"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// ErrNoRegion means AWS_REGION (or AWS_DEFAULT_REGION) is not set.
var ErrNoRegion = errors.New("awsenv: AWS_REGION is not set")

// ErrNoCredentials means the environment holds no AWS credentials.
var ErrNoCredentials = errors.New("awsenv: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set")

// Config returns an aws.Config for the region and credentials in the
// environment. AWS_ENDPOINT_URL, when set, points every client at a local
// endpoint (moto_server, LocalStack) as the SDK's own loader does.
func Config(getenv func(string) string) (aws.Config, error) {
	region := getenv("AWS_REGION")
	if region == "" {
		region = getenv("AWS_DEFAULT_REGION")
	}
	if region == "" {
		return aws.Config{}, ErrNoRegion
	}
	id, secret := getenv("AWS_ACCESS_KEY_ID"), getenv("AWS_SECRET_ACCESS_KEY")
	if id == "" || secret == "" {
		return aws.Config{}, ErrNoCredentials
	}
	cfg := aws.Config{
		Region:      region,
		Credentials: aws.NewCredentialsCache(credentials.NewStaticCredentialsProvider(id, secret, getenv("AWS_SESSION_TOKEN"))),
	}
	if ep := getenv("AWS_ENDPOINT_URL"); ep != "" {
		cfg.BaseEndpoint = aws.String(ep)
	}
	return cfg, nil
}
