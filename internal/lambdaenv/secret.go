package lambdaenv

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/faas-grip/faas-grip-go/internal/awsenv"
)

// SecretTimeout bounds the Secrets Manager call at cold start: a slow fetch
// must fail the init clearly rather than eat the whole Lambda timeout.
const SecretTimeout = 3 * time.Second

// ErrSecret marks a failure to read the GRIP URL secret.
var ErrSecret = errors.New("lambdaenv: cannot read the GRIP URL secret")

// SecretGetter reads a secret's string value.
type SecretGetter interface {
	GetSecretString(ctx context.Context, secretID string) (string, error)
}

// SecretsManager calls the one Secrets Manager action we need,
// GetSecretValue, signed with SigV4. It replaces the SDK's secretsmanager
// client, whose generated code weighs more than 100 KB in every bootstrap.
type SecretsManager struct {
	endpoint string
	region   string
	creds    aws.CredentialsProvider
	signer   *v4.Signer
	client   *http.Client
}

// NewSecretsManager builds a client from the environment (the Lambda role's
// credentials, AWS_REGION, AWS_ENDPOINT_URL for local endpoints).
func NewSecretsManager(getenv func(string) string) (*SecretsManager, error) {
	cfg, err := awsenv.Config(getenv)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrSecret, err)
	}
	endpoint := "https://secretsmanager." + cfg.Region + ".amazonaws.com"
	if strings.HasPrefix(cfg.Region, "cn-") {
		endpoint += ".cn"
	}
	if cfg.BaseEndpoint != nil {
		endpoint = strings.TrimSuffix(*cfg.BaseEndpoint, "/")
	}
	return &SecretsManager{endpoint: endpoint, region: cfg.Region, creds: cfg.Credentials,
		signer: v4.NewSigner(), client: &http.Client{}}, nil
}

// GetSecretString returns the secret's SecretString. Errors carry AWS's error
// type and message (AccessDeniedException, ResourceNotFoundException...).
func (s *SecretsManager) GetSecretString(ctx context.Context, secretID string) (string, error) {
	body, _ := json.Marshal(map[string]string{"SecretId": secretID}) // cannot fail
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.endpoint+"/", bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "secretsmanager.GetSecretValue")
	creds, err := s.creds.Retrieve(ctx)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(body)
	if err := s.signer.SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "secretsmanager", s.region, time.Now()); err != nil {
		return "", err
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20)) // a secret is at most 64 KB
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		var awsErr struct {
			Type    string `json:"__type"`
			Message string `json:"message"`
		}
		_ = json.Unmarshal(data, &awsErr)
		if awsErr.Type == "" {
			awsErr.Type = resp.Status
		}
		return "", fmt.Errorf("%s: %s", awsErr.Type[strings.LastIndex(awsErr.Type, "#")+1:], awsErr.Message)
	}
	var out struct {
		SecretString *string `json:"SecretString"`
	}
	if err := json.Unmarshal(data, &out); err != nil {
		return "", fmt.Errorf("unreadable GetSecretValue answer: %v", err)
	}
	if out.SecretString == nil {
		return "", nil
	}
	return *out.SecretString, nil
}

// FetchSecret returns the secret's string value. The error names the secret
// and the reason, never the value.
func FetchSecret(ctx context.Context, sm SecretGetter, secretID string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, SecretTimeout)
	defer cancel()
	value, err := sm.GetSecretString(ctx, secretID)
	if err != nil {
		return "", fmt.Errorf("%w %s: %v", ErrSecret, secretID, err)
	}
	if value == "" {
		return "", fmt.Errorf("%w %s: it has no string value", ErrSecret, secretID)
	}
	return value, nil
}
