package awsenv

import (
	"errors"
	"testing"
)

func TestConfig(t *testing.T) {
	env := map[string]string{"AWS_DEFAULT_REGION": "eu-west-1", "AWS_ACCESS_KEY_ID": "id", "AWS_SECRET_ACCESS_KEY": "secret", "AWS_SESSION_TOKEN": "tok", "AWS_ENDPOINT_URL": "http://127.0.0.1:5000"}
	cfg, err := Config(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Region != "eu-west-1" || *cfg.BaseEndpoint != "http://127.0.0.1:5000" {
		t.Errorf("got region %q endpoint %v", cfg.Region, cfg.BaseEndpoint)
	}
	creds, err := cfg.Credentials.Retrieve(t.Context())
	if err != nil || creds.AccessKeyID != "id" || creds.SessionToken != "tok" {
		t.Errorf("credentials %+v, %v", creds, err)
	}

	delete(env, "AWS_SECRET_ACCESS_KEY")
	if _, err := Config(func(k string) string { return env[k] }); !errors.Is(err, ErrNoCredentials) {
		t.Errorf("no secret key: %v", err)
	}
	if _, err := Config(func(string) string { return "" }); !errors.Is(err, ErrNoRegion) {
		t.Errorf("empty environment: %v", err)
	}
}
