package lambdaenv

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/faas-grip/faas-grip-go/internal/awsenv"
)

// SecretTimeout bounds the Secrets Manager call at cold start: a slow fetch
// must fail the init clearly rather than eat the whole Lambda timeout.
const SecretTimeout = 3 * time.Second

// ErrSecret marks a failure to read the GRIP URL secret.
var ErrSecret = errors.New("lambdaenv: cannot read the GRIP URL secret")

// SecretGetter is the one Secrets Manager call we need; *secretsmanager.Client has it.
type SecretGetter interface {
	GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, opts ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)
}

// NewSecretsManager builds a client from the environment (the Lambda role's
// credentials, AWS_REGION, AWS_ENDPOINT_URL for local endpoints).
func NewSecretsManager(getenv func(string) string) (*secretsmanager.Client, error) {
	cfg, err := awsenv.Config(getenv)
	if err != nil {
		return nil, fmt.Errorf("%w: loading AWS config: %v", ErrSecret, err)
	}
	return secretsmanager.NewFromConfig(cfg), nil
}

// FetchSecret returns the secret's string value. The error names the secret
// and the reason, never the value.
func FetchSecret(ctx context.Context, sm SecretGetter, secretID string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, SecretTimeout)
	defer cancel()
	out, err := sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(secretID)})
	if err != nil {
		return "", fmt.Errorf("%w %s: %v", ErrSecret, secretID, err)
	}
	if out.SecretString == nil || *out.SecretString == "" {
		return "", fmt.Errorf("%w %s: it has no string value", ErrSecret, secretID)
	}
	return *out.SecretString, nil
}
