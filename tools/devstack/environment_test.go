package devstack

import (
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/faas-grip/faas-grip-go/tools/template"
)

// One rule of sam local invoke's environment per case
// (samcli/local/lambdafn/env_vars.py; issues #1604, #6145).
func TestFunctionEnvironmentIsAsStrictAsSamLocal(t *testing.T) {
	fn := func() *template.Function {
		return &template.Function{
			LogicalID: "PublishFunction", FunctionName: "PublishFunction", Handler: "bootstrap", Timeout: 30 * time.Second,
			Environment: map[string]string{"GRIP_URL": "", "HISTORY_DIR": "", "CHANNEL": "chat"},
		}
	}
	for _, tc := range []struct {
		name        string
		fn          *template.Function
		src         EnvSources
		want        map[string]string // variables that must have these values
		absent      []string          // variables that must not be set
		wantIgnored []Ignored
	}{
		{
			name: "declared variables with the template's values, and sam's own",
			fn:   fn(),
			want: map[string]string{"GRIP_URL": "", "HISTORY_DIR": "", "CHANNEL": "chat", "AWS_SAM_LOCAL": "true",
				"AWS_LAMBDA_FUNCTION_TIMEOUT": "30", "AWS_LAMBDA_FUNCTION_HANDLER": "bootstrap", "AWS_ACCOUNT_ID": "123456789012"},
		},
		{
			name:   "the host's PATH, HOME and endpoints do not leak",
			fn:     fn(),
			src:    EnvSources{Shell: map[string]string{"PATH": "/home/me/bin", "HOME": "/home/me", "AWS_ENDPOINT_URL": "http://127.0.0.1:5000", "TMPDIR": "/x"}},
			want:   map[string]string{"PATH": lambdaBaseEnv["PATH"]},
			absent: []string{"HOME", "AWS_ENDPOINT_URL", "TMPDIR"},
		},
		{
			name: "the shell gives values to declared names only",
			fn:   fn(),
			src:  EnvSources{Shell: map[string]string{"CHANNEL": "from-shell", "OTHER": "x"}},
			want: map[string]string{"CHANNEL": "from-shell"}, absent: []string{"OTHER"},
		},
		{
			name: "local settings override declared names, and undeclared ones are reported",
			fn: &template.Function{LogicalID: "ForkFunction", FunctionName: "ForkFunction",
				Environment: map[string]string{"GRIP_URL": ""}},
			src:         EnvSources{Local: map[string]string{"GRIP_URL": "http://127.0.0.1:5561", "HISTORY_DIR": "/h"}},
			want:        map[string]string{"GRIP_URL": "http://127.0.0.1:5561"},
			absent:      []string{"HISTORY_DIR"},
			wantIgnored: []Ignored{{Source: "local settings", Names: []string{"HISTORY_DIR"}}},
		},
		{
			name: "the env-vars file wins over local settings, on declared names only",
			fn:   fn(),
			src: EnvSources{
				Shell: map[string]string{"CHANNEL": "shell"},
				Local: map[string]string{"GRIP_URL": "local", "CHANNEL": "local"},
				File: template.EnvOverrides{
					"Parameters":      {"CHANNEL": "params", "UNDECLARED": "x"},
					"PublishFunction": {"GRIP_URL": "file", "AWS_ENDPOINT_URL": "http://127.0.0.1:5000"},
				},
			},
			want:        map[string]string{"GRIP_URL": "file", "CHANNEL": "params"},
			absent:      []string{"UNDECLARED", "AWS_ENDPOINT_URL"},
			wantIgnored: []Ignored{{Source: "env-vars file", Names: []string{"AWS_ENDPOINT_URL", "UNDECLARED"}}},
		},
		{
			name: "no host credentials: sam's placeholders",
			fn:   fn(),
			want: map[string]string{"AWS_ACCESS_KEY_ID": "defaultkey", "AWS_SECRET_ACCESS_KEY": "defaultsecret"}, absent: []string{"AWS_SESSION_TOKEN"},
		},
		{
			name: "host credentials pass through",
			fn:   fn(),
			src:  EnvSources{Credentials: Credentials{AccessKeyID: "AKIA", SecretAccessKey: "s", SessionToken: "tok"}},
			want: map[string]string{"AWS_ACCESS_KEY_ID": "AKIA", "AWS_SECRET_ACCESS_KEY": "s", "AWS_SESSION_TOKEN": "tok"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env, ignored := FunctionEnvironment(tc.fn, tc.src)
			for k, v := range tc.want {
				if got, ok := env[k]; !ok || got != v {
					t.Errorf("%s = %q (set %v), want %q", k, got, ok, v)
				}
			}
			for _, k := range tc.absent {
				if v, ok := env[k]; ok {
					t.Errorf("%s is set (%q); sam local would not set it", k, v)
				}
			}
			if !reflect.DeepEqual(ignored, tc.wantIgnored) {
				t.Errorf("ignored = %+v, want %+v", ignored, tc.wantIgnored)
			}
		})
	}
}

func TestHostCredentials(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "credentials")
	if err := os.WriteFile(file, []byte("[default]\naws_access_key_id = DEF\naws_secret_access_key = defsecret\n\n[work]\naws_access_key_id=WORK\naws_secret_access_key=worksecret\naws_session_token=t\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		env  map[string]string
		want Credentials
	}{
		{"environment first", map[string]string{"AWS_ACCESS_KEY_ID": "ENV", "AWS_SECRET_ACCESS_KEY": "envsecret", "AWS_SHARED_CREDENTIALS_FILE": file}, Credentials{"ENV", "envsecret", ""}},
		{"default profile", map[string]string{"AWS_SHARED_CREDENTIALS_FILE": file}, Credentials{"DEF", "defsecret", ""}},
		{"named profile", map[string]string{"AWS_SHARED_CREDENTIALS_FILE": file, "AWS_PROFILE": "work"}, Credentials{"WORK", "worksecret", "t"}},
		{"home's file", map[string]string{"HOME": filepath.Join(dir, "nohome")}, Credentials{}},
		{"nothing", map[string]string{}, Credentials{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := HostCredentials(func(k string) string { return tc.env[k] }); got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

// sam ignores undeclared names silently; we say so, naming the function and
// the variables: a warning for the env-vars file, information for what the
// local tools offer every function.
func TestNewFunctionReportsIgnoredVariables(t *testing.T) {
	var out strings.Builder
	log := slog.New(slog.NewTextHandler(&out, &slog.HandlerOptions{Level: slog.LevelInfo}))
	fn := &template.Function{LogicalID: "ForkFunction", FunctionName: "ForkFunction", Environment: map[string]string{"GRIP_URL": ""}}
	f, err := NewFunction(fn, "/nonexistent/bootstrap", FunctionOptions{
		Overrides: template.EnvOverrides{"ForkFunction": {"GRIP_URL": "x", "MY_SETTING": "y"}},
		Extra:     map[string]string{"HISTORY_DIR": "/h"},
		Host:      &HostEnv{},
		Logger:    log,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("want 2 lines, got %q", lines)
	}
	for i, want := range []string{"level=INFO", "level=WARN"} {
		if !strings.Contains(lines[i], want) {
			t.Errorf("line %d %q: want %s", i, lines[i], want)
		}
	}
	if !strings.Contains(lines[0], "ForkFunction does not declare HISTORY_DIR") ||
		!strings.Contains(lines[1], "ForkFunction does not declare MY_SETTING") || strings.Contains(out.String(), "does not declare GRIP_URL") {
		t.Errorf("log:\n%s", out.String())
	}
}
