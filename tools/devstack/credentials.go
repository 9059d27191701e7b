package devstack

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
)

// Credentials are AWS credentials as sam local passes them to a function.
type Credentials struct {
	AccessKeyID, SecretAccessKey, SessionToken string
}

// sam local's placeholders when the host has no credentials.
const (
	placeholderKey    = "defaultkey"
	placeholderSecret = "defaultsecret"
)

func (c Credentials) orPlaceholders() Credentials {
	if c.AccessKeyID == "" || c.SecretAccessKey == "" {
		return Credentials{AccessKeyID: placeholderKey, SecretAccessKey: placeholderSecret}
	}
	return c
}

// HostCredentials finds this machine's AWS credentials as the SDKs do, for
// the two sources a local run uses: the environment (AWS_ACCESS_KEY_ID,
// AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), else the shared credentials
// file's profile (AWS_PROFILE, else "default"). None found gives empty
// Credentials, which FunctionEnvironment turns into sam's placeholders.
func HostCredentials(getenv func(string) string) Credentials {
	if id, secret := getenv("AWS_ACCESS_KEY_ID"), getenv("AWS_SECRET_ACCESS_KEY"); id != "" && secret != "" {
		return Credentials{AccessKeyID: id, SecretAccessKey: secret, SessionToken: getenv("AWS_SESSION_TOKEN")}
	}
	path := getenv("AWS_SHARED_CREDENTIALS_FILE")
	if path == "" {
		home := getenv("HOME")
		if home == "" {
			return Credentials{}
		}
		path = filepath.Join(home, ".aws", "credentials")
	}
	profile := getenv("AWS_PROFILE")
	if profile == "" {
		profile = "default"
	}
	return profileCredentials(path, profile)
}

// profileCredentials reads one profile of a shared credentials file (INI).
func profileCredentials(path, profile string) Credentials {
	f, err := os.Open(path)
	if err != nil {
		return Credentials{}
	}
	defer f.Close()
	var c Credentials
	in := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]") {
			in = strings.TrimSpace(line[1:len(line)-1]) == profile
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !in || !ok {
			continue
		}
		v = strings.TrimSpace(v)
		switch strings.TrimSpace(k) {
		case "aws_access_key_id":
			c.AccessKeyID = v
		case "aws_secret_access_key":
			c.SecretAccessKey = v
		case "aws_session_token":
			c.SessionToken = v
		}
	}
	return c
}
