package edge

import (
	"bytes"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/faas-grip/faas-grip-go/tools/moto"
)

const secretKey = "s3cr3t-sig-key-never-logged-anywhere-at-all"

func TestLoadFromEnvironment(t *testing.T) {
	env, err := load(t.Context(), getenv(map[string]string{
		"GRIP_URL":    "http://127.0.0.1:5561?verify-iss=pushpin&verify-key=" + secretKey,
		"GRIP_PREFIX": "app-",
	}), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(env.Grip.Endpoints) != 1 || env.Grip.Prefix != "app-" || !env.sigRequired || env.Deployed {
		t.Fatalf("got %+v", env)
	}
}

func TestLoadErrorsNeverEchoTheKey(t *testing.T) {
	for _, vars := range []map[string]string{
		{"GRIP_URL": "ftp://user:" + secretKey + "@host?key=" + secretKey},
		{"GRIP_URL": "http://127.0.0.1:5561?verify-key=base64:" + secretKey + "%%"},
		{"GRIP_URL": "http://127.0.0.1:5561", "GRIP_SIG_REQUIRED": "maybe"},
		// A Fastly URL must name its service, deployed or not.
		{"GRIP_URL": "https://api.fastly.com/services/SID?key=" + secretKey},
		{"GRIP_URL": "https://api.fastly.com?key=" + secretKey},
	} {
		_, err := load(t.Context(), getenv(vars), nil, nil)
		if err == nil {
			t.Errorf("%v: no error", vars)
			continue
		}
		if strings.Contains(err.Error(), secretKey) {
			t.Errorf("error leaks the key: %v", err)
		}
	}
}

func TestLoadFromSecret(t *testing.T) {
	url := "http://127.0.0.1:5561?verify-iss=pushpin&verify-key=" + secretKey
	sm := fakeSecrets{values: map[string]string{"arn:grip": url, "arn:empty": ""}}
	env, err := load(t.Context(), getenv(map[string]string{"GRIP_URL_SECRET_ARN": "arn:grip"}), nil, sm)
	if err != nil || len(env.Grip.Endpoints) != 1 || !env.Deployed {
		t.Fatalf("got %+v, %v: want one endpoint, marked deployed", env, err)
	}
	// GRIP_URL in the environment wins: the secret is not even read.
	env, err = load(t.Context(), getenv(map[string]string{"GRIP_URL": "http://other:5561", "GRIP_URL_SECRET_ARN": "arn:grip"}), nil, fakeSecrets{err: errors.New("must not be called")})
	if err != nil || env.Grip.Endpoints[0].ControlURI != "http://other:5561" || env.Deployed {
		t.Fatalf("GRIP_URL should win: %+v, %v", env, err)
	}
	for _, arn := range []string{"arn:missing", "arn:empty"} {
		_, err := load(t.Context(), getenv(map[string]string{"GRIP_URL_SECRET_ARN": arn}), nil, sm)
		if !errors.Is(err, errSecret) || !strings.Contains(err.Error(), arn) {
			t.Errorf("%s: %v, want errSecret naming the secret", arn, err)
		}
	}
}

// The real thing: Secrets Manager's API served by moto_server on loopback,
// reached through the same client construction the functions use.
func TestSecretsManagerAgainstMoto(t *testing.T) {
	endpoint := moto.Start(t)
	vars := map[string]string{
		"AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
		"AWS_ENDPOINT_URL": endpoint,
	}
	// The SDK creates the secret: the function's own client only reads.
	admin := secretsmanager.New(secretsmanager.Options{Region: "us-east-1", BaseEndpoint: aws.String(endpoint),
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")})
	gripURL := "http://127.0.0.1:5561?verify-iss=pushpin&verify-key=" + secretKey
	created, err := admin.CreateSecret(t.Context(), &secretsmanager.CreateSecretInput{Name: aws.String("grip-url"), SecretString: aws.String(gripURL)})
	if err != nil {
		t.Fatal(err)
	}

	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, nil))

	t.Run("present", func(t *testing.T) {
		env, err := load(t.Context(), getenv(merge(vars, map[string]string{"GRIP_URL_SECRET_ARN": *created.ARN})), nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !env.Deployed || env.Grip.Endpoints[0].ControlURI != "http://127.0.0.1:5561" {
			t.Errorf("got %+v", env.Grip)
		}
		logger.Info("loaded", "endpoint", env.Grip.Endpoints[0].String())
	})
	t.Run("missing", func(t *testing.T) {
		_, err := load(t.Context(), getenv(merge(vars, map[string]string{"GRIP_URL_SECRET_ARN": "no-such-secret"})), nil, nil)
		if !errors.Is(err, errSecret) {
			t.Fatalf("got %v, want errSecret", err)
		}
		logger.Error("cold start failed", "error", err)
	})
	t.Run("no credentials", func(t *testing.T) {
		_, err := load(t.Context(), getenv(map[string]string{"GRIP_URL_SECRET_ARN": *created.ARN, "AWS_REGION": "us-east-1"}), nil, nil)
		if !errors.Is(err, errSecret) {
			t.Fatalf("got %v, want errSecret", err)
		}
		logger.Error("cold start failed", "error", err)
	})
	t.Run("access denied", func(t *testing.T) {
		// An endpoint that answers as AWS does to a role without the policy.
		denied := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/x-amz-json-1.1")
			w.Header().Set("X-Amzn-Errortype", "AccessDeniedException")
			w.WriteHeader(http.StatusBadRequest)
			w.Write([]byte(`{"__type":"AccessDeniedException","message":"User is not authorized to perform: secretsmanager:GetSecretValue"}`))
		}))
		defer denied.Close()
		_, err := load(t.Context(), getenv(merge(vars, map[string]string{"GRIP_URL_SECRET_ARN": *created.ARN, "AWS_ENDPOINT_URL": denied.URL})), nil, nil)
		if !errors.Is(err, errSecret) || !strings.Contains(err.Error(), "AccessDenied") {
			t.Fatalf("got %v, want errSecret naming AccessDenied", err)
		}
		logger.Error("cold start failed", "error", err)
	})
	t.Run("slow", func(t *testing.T) {
		release := make(chan struct{})
		slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-release:
			case <-r.Context().Done():
			}
		}))
		defer slow.Close()
		defer close(release)
		start := time.Now()
		_, err := load(t.Context(), getenv(merge(vars, map[string]string{"GRIP_URL_SECRET_ARN": *created.ARN, "AWS_ENDPOINT_URL": slow.URL})), nil, nil)
		if !errors.Is(err, errSecret) {
			t.Fatalf("got %v, want errSecret", err)
		}
		if took := time.Since(start); took > secretTimeout+2*time.Second {
			t.Errorf("the fetch took %v: it must give up after about %v", took, secretTimeout)
		}
		logger.Error("cold start failed", "error", err)
	})

	if strings.Contains(logs.String(), secretKey) {
		t.Errorf("the logs leak the key:\n%s", logs.String())
	}
	if !strings.Contains(logs.String(), "cold start failed") {
		t.Error("the log capture saw nothing: the leak check is not checking")
	}
}

func merge(a, b map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

// A GRIP_URL set on a deployed function counts as deployed: only sam local
// and the local stack (AWS_SAM_LOCAL=true), or a process outside Lambda,
// may use a guessable key.
func TestDeployedWhereverTheURLComesFrom(t *testing.T) {
	for _, tc := range []struct {
		vars map[string]string
		want bool
	}{
		{map[string]string{}, false},
		{map[string]string{"AWS_LAMBDA_FUNCTION_NAME": "chat"}, true},
		{map[string]string{"AWS_LAMBDA_FUNCTION_NAME": "chat", "AWS_SAM_LOCAL": "true"}, false},
	} {
		tc.vars["GRIP_URL"] = "http://127.0.0.1:5561?verify-iss=pushpin&verify-key=changeme"
		env, err := load(t.Context(), func(k string) string { return tc.vars[k] }, nil, nil)
		if err != nil || env.Deployed != tc.want {
			t.Errorf("%v: Deployed %v, %v; want %v", tc.vars, env.Deployed, err, tc.want)
		}
	}
}
