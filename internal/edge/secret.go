package edge

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

// secretTimeout bounds the Secrets Manager call at cold start: a slow fetch
// must fail the init clearly rather than eat the whole Lambda timeout.
const secretTimeout = 3 * time.Second

// errSecret marks a failure to read the GRIP URL secret.
var errSecret = errors.New("edge: cannot read the GRIP URL secret")

// secretGetter reads a secret's string value.
type secretGetter interface {
	GetSecretString(ctx context.Context, secretID string) (string, error)
}

// secretsManager calls the one Secrets Manager action we need,
// GetSecretValue, signed with SigV4. It replaces the SDK's secretsmanager
// client, whose generated code weighs more than 100 KB in every bootstrap.
type secretsManager struct {
	endpoint string
	region   string
	creds    aws.CredentialsProvider
	signer   *v4.Signer
	client   *http.Client
}

// newSecretsManager builds a client from the environment (the Lambda role's
// credentials, AWS_REGION, AWS_ENDPOINT_URL for local endpoints).
func newSecretsManager(getenv func(string) string) (*secretsManager, error) {
	cfg, err := awsenv.Config(getenv)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errSecret, err)
	}
	endpoint := "https://secretsmanager." + cfg.Region + ".amazonaws.com"
	if strings.HasPrefix(cfg.Region, "cn-") {
		endpoint += ".cn"
	}
	if cfg.BaseEndpoint != nil {
		endpoint = strings.TrimSuffix(*cfg.BaseEndpoint, "/")
	}
	return &secretsManager{endpoint: endpoint, region: cfg.Region, creds: cfg.Credentials,
		signer: v4.NewSigner(), client: &http.Client{}}, nil
}

// GetSecretString returns the secret's SecretString. Errors carry AWS's error
// type and message (AccessDeniedException, ResourceNotFoundException...).
func (s *secretsManager) GetSecretString(ctx context.Context, secretID string) (string, error) {
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

// fetchSecret returns the secret's string value. The error names the secret
// and the reason, never the value.
func fetchSecret(ctx context.Context, sm secretGetter, secretID string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, secretTimeout)
	defer cancel()
	value, err := sm.GetSecretString(ctx, secretID)
	if err != nil {
		return "", fmt.Errorf("%w %s: %v", errSecret, secretID, err)
	}
	if value == "" {
		return "", fmt.Errorf("%w %s: it has no string value", errSecret, secretID)
	}
	return value, nil
}
