package devstack

import (
	"maps"
	"strconv"
	"strings"

	"github.com/faas-grip/faas-grip-go/tools/template"
)

// lambdaBaseEnv is what Lambda's execution environment (and sam local's
// container image) sets for every function, whatever the host has: the
// host's PATH or HOME never reach a function.
var lambdaBaseEnv = map[string]string{
	"PATH": "/usr/local/bin:/usr/bin/:/bin:/opt/bin",
	"LANG": "en_US.UTF-8",
	"TZ":   ":UTC",
}

// EnvSources are where a function's variables come from, lowest priority
// first after the template: sam local's order (env_vars.py), plus Local
// between the shell and the file for what make dev and make invoke supply.
type EnvSources struct {
	// Shell is this machine's environment. As in sam local, it gives values
	// to variables the template declares, and nothing else.
	Shell map[string]string
	// Local are values make dev and make invoke supply (GRIP_URL,
	// HISTORY_DIR): overrides of declared names, as if from an env-vars file.
	Local map[string]string
	// File is the env-vars file (-env-vars, ENV_VARS).
	File template.EnvOverrides
	// Credentials are the host's AWS credentials; empty ones become sam's
	// placeholders defaultkey/defaultsecret.
	Credentials Credentials
}

// Ignored lists variables a source set that the function does not declare.
type Ignored struct {
	Source string // SourceLocal or SourceFile
	Names  []string
}

// Where ignored variables came from.
const (
	SourceLocal = "local settings" // EnvSources.Local
	SourceFile  = "env-vars file"  // EnvSources.File
)

// FunctionEnvironment is the environment sam local invoke would give fn,
// without the variables the Lambda Runtime API sets (runtimeapi sets those:
// AWS_LAMBDA_*, AWS_REGION, AWS_DEFAULT_REGION, _HANDLER, LAMBDA_TASK_ROOT):
// only the variables the template declares for fn (Globals and its own),
// with values from the template, then the shell, then src.Local, then the
// env-vars file; plus AWS_SAM_LOCAL and the credentials. It also reports
// what the local settings and the file set but fn does not declare: sam
// ignores those silently, which hides mistakes, so callers warn.
func FunctionEnvironment(fn *template.Function, src EnvSources) (map[string]string, []Ignored) {
	env := maps.Clone(lambdaBaseEnv)
	creds := src.Credentials.orPlaceholders()
	maps.Copy(env, map[string]string{
		"AWS_SAM_LOCAL":               "true",
		"AWS_ACCOUNT_ID":              "123456789012",
		"AWS_LAMBDA_FUNCTION_TIMEOUT": strconv.Itoa(int(fn.Timeout.Seconds())),
		"AWS_LAMBDA_FUNCTION_HANDLER": fn.Handler,
		"AWS_ACCESS_KEY_ID":           creds.AccessKeyID,
		"AWS_SECRET_ACCESS_KEY":       creds.SecretAccessKey,
	})
	if creds.SessionToken != "" {
		env["AWS_SESSION_TOKEN"] = creds.SessionToken
	}

	declared := maps.Clone(fn.Environment)
	if declared == nil {
		declared = map[string]string{}
	}
	for name := range declared {
		if v, ok := src.Shell[name]; ok {
			declared[name] = v
		}
	}
	var ignored []Ignored
	declared, names := template.OverrideDeclared(declared, src.Local)
	if len(names) > 0 {
		ignored = append(ignored, Ignored{Source: SourceLocal, Names: names})
	}
	declared, names = template.OverrideDeclared(declared, src.File.For(fn))
	if len(names) > 0 {
		ignored = append(ignored, Ignored{Source: SourceFile, Names: names})
	}
	maps.Copy(env, declared) // declared variables win, as in sam
	return env, ignored
}

// ShellEnv is this process's environment as a map.
func ShellEnv(environ []string) map[string]string {
	m := make(map[string]string, len(environ))
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok {
			m[k] = v
		}
	}
	return m
}
