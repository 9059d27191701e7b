package samcheck

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/faas-grip/faas-grip-go/internal/grip"
	"github.com/faas-grip/faas-grip-go/tools/moto"
)

// workflow is the part of a GitHub Actions workflow these checks read.
type workflow struct {
	On   map[string]any         `yaml:"on"`
	Jobs map[string]workflowJob `yaml:"jobs"`
}

type workflowJob struct {
	If          string            `yaml:"if"`
	Needs       any               `yaml:"needs"`
	Uses        string            `yaml:"uses"`
	With        map[string]string `yaml:"with"`
	Environment string            `yaml:"environment"`
	Permissions map[string]string `yaml:"permissions"`
	Steps       []struct {
		Uses string            `yaml:"uses"`
		Run  string            `yaml:"run"`
		With map[string]string `yaml:"with"`
	} `yaml:"steps"`
}

func loadWorkflow(t *testing.T, name string) *workflow {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(Root(), ".github", "workflows", name))
	if err != nil {
		t.Fatal(err)
	}
	var w workflow
	if err := yaml.Unmarshal(b, &w); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return &w
}

// deployJobs are deploy.yml's jobs that deploy: job name -> samconfig
// environment (also the GitHub environment, sam-deploy.yml's job runs in it).
func deployJobs(t *testing.T, w *workflow) map[string]string {
	t.Helper()
	envs := map[string]string{}
	for name, job := range w.Jobs {
		if job.Uses == "./.github/workflows/sam-deploy.yml" {
			envs[name] = job.With["config-env"]
		}
	}
	return envs
}

// samconfig is samconfig.toml as sam reads it (Python's TOML parser).
func samconfig(t *testing.T) map[string]map[string]map[string]map[string]any {
	t.Helper()
	out, err := exec.Command("python3", "-c", `import json, sys, tomllib; json.dump(tomllib.load(open(sys.argv[1], "rb")), sys.stdout)`,
		filepath.Join(Root(), "samconfig.toml")).Output()
	if err != nil {
		t.Fatalf("reading samconfig.toml with python3's tomllib: %v", err)
	}
	var cfg map[string]any
	if err := json.Unmarshal(out, &cfg); err != nil {
		t.Fatal(err)
	}
	// environment -> command -> "parameters" -> key
	envs := map[string]map[string]map[string]map[string]any{}
	for env, cmds := range cfg {
		if env == "version" {
			continue
		}
		envs[env] = map[string]map[string]map[string]any{}
		for cmd, sections := range asMap(cmds) {
			envs[env][cmd] = map[string]map[string]any{"parameters": asMap(asMap(sections)["parameters"])}
		}
	}
	return envs
}

// TestDeployPipeline checks deploy.yml against what README's Deploy
// pipeline says: dev on a push to main, prod on a v* tag or a manual run,
// each after the tests, with an OIDC token (id-token: write) for a role
// named by a variable, never a stored key; sam-deploy.yml builds, deploys
// with the samconfig environment and runs make smoke against its stack,
// in the GitHub environment of the same name. samconfig.toml has those
// environments, unattended, naming the GRIP secrets by ARN, and keeps its
// default for sam deploy --guided.
func TestDeployPipeline(t *testing.T) {
	for _, f := range workflowFiles(t) {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if m := regexp.MustCompile(`aws-access-key-id|aws-secret-access-key|secrets\.AWS_`).Find(b); m != nil {
			t.Errorf("%s: %s: no stored AWS key; the pipeline assumes a role with OIDC", filepath.Base(f), m)
		}
	}

	// The variables README's step 3 has the user set are those the workflows read.
	_, setup, _ := strings.Cut(readmeText(t), "\n### Deploy pipeline\n")
	setup, _, _ = strings.Cut(setup, "\n#")
	for _, f := range workflowFiles(t) {
		b, _ := os.ReadFile(f)
		for _, m := range regexp.MustCompile(`\bvars\.(\w+)`).FindAllStringSubmatch(string(b), -1) {
			if !strings.Contains(setup, "`"+m[1]+"`") {
				t.Errorf("%s reads the variable %s, which README's Deploy pipeline does not have the user set", filepath.Base(f), m[1])
			}
		}
	}

	deploy := loadWorkflow(t, "deploy.yml")
	push := asMap(deploy.On["push"])
	if !slices.Contains(asList(push["branches"]), any("main")) || !slices.Contains(asList(push["tags"]), any("v*")) {
		t.Errorf("deploy.yml: on.push %v, want branches [main] and tags [v*]", push)
	}
	if _, ok := deploy.On["workflow_dispatch"]; !ok {
		t.Error("deploy.yml: no workflow_dispatch: prod cannot be deployed by hand")
	}
	envs := deployJobs(t, deploy)
	if got := slices.Sorted(maps.Values(envs)); !slices.Equal(got, []string{"dev", "prod"}) {
		t.Fatalf("deploy.yml deploys the samconfig environments %v, want [dev prod]", got)
	}
	for name, env := range envs {
		job := deploy.Jobs[name]
		if job.Permissions["id-token"] != "write" {
			t.Errorf("deploy.yml, job %s: permissions %v, want id-token: write (OIDC)", name, job.Permissions)
		}
		if !slices.Contains(asList(job.Needs), any("test")) {
			t.Errorf("deploy.yml, job %s: needs %v, want the tests first", name, job.Needs)
		}
		want := map[string][]string{"dev": {"refs/heads/main", "push"}, "prod": {"refs/tags/v", "workflow_dispatch"}}[env]
		for _, w := range want {
			if !strings.Contains(job.If, w) {
				t.Errorf("deploy.yml, job %s: if %q does not mention %s", name, job.If, w)
			}
		}
	}

	job := loadWorkflow(t, "sam-deploy.yml").Jobs["deploy"]
	if job.Environment != "${{ inputs.config-env }}" {
		t.Errorf("sam-deploy.yml: environment %q, want ${{ inputs.config-env }} (its variables, its reviewers, the OIDC subject)", job.Environment)
	}
	var runs []string
	assumed := false
	for _, s := range job.Steps {
		if strings.HasPrefix(s.Uses, "aws-actions/configure-aws-credentials@") {
			assumed = strings.HasPrefix(s.With["role-to-assume"], "${{ vars.")
		}
		if s.Run != "" {
			runs = append(runs, s.Run)
		}
	}
	if !assumed {
		t.Error("sam-deploy.yml: no aws-actions/configure-aws-credentials step with role-to-assume from a variable")
	}
	order := []string{"sam build", `sam deploy --config-env "$CONFIG_ENV"`, `make smoke STACK=`}
	next := 0
	for _, r := range runs {
		if next < len(order) && strings.Contains(r, order[next]) {
			next++
		}
	}
	if next < len(order) {
		t.Errorf("sam-deploy.yml: runs %q, want in order %q", runs, order)
	}

	cfg := samconfig(t)
	cfn := translate(t)
	for _, env := range envs {
		d := cfg[env]["deploy"]["parameters"]
		if cfg[env]["global"]["parameters"]["stack_name"] != "faas-grip-go-"+env {
			t.Errorf("samconfig.toml [%s]: stack_name %v, want faas-grip-go-%s", env, cfg[env]["global"]["parameters"]["stack_name"], env)
		}
		if d["confirm_changeset"] != false || d["capabilities"] != "CAPABILITY_IAM" || d["resolve_s3"] != true {
			t.Errorf("samconfig.toml [%s.deploy.parameters] %v: want confirm_changeset false (CI answers nothing), capabilities CAPABILITY_IAM, resolve_s3 true", env, d)
		}
		overrides, _ := d["parameter_overrides"].(string)
		var given []string
		for _, kv := range strings.Fields(overrides) {
			name, _, _ := strings.Cut(kv, "=")
			if _, ok := cfn.Parameters[name]; !ok {
				t.Errorf("samconfig.toml [%s]: parameter_overrides sets %s, not a parameter of the template", env, name)
			}
			given = append(given, name)
		}
		for _, name := range []string{"GripUrlSecretArn", "GripVerifyUrlSecretArn"} {
			if !slices.Contains(given, name) {
				t.Errorf("samconfig.toml [%s]: parameter_overrides does not set %s: the stack would need the URL itself", env, name)
			}
		}
	}
	def := cfg["default"]
	if def["global"]["parameters"]["stack_name"] != "faas-grip-go" || def["deploy"]["parameters"]["confirm_changeset"] != true {
		t.Errorf("samconfig.toml [default]: %v, want stack faas-grip-go and confirm_changeset true (README's guided deploy)", def)
	}
}

// TestREADMEPipelineSetup runs README's Deploy pipeline setup (the aws
// commands of steps 1 and 2) against a local AWS (moto_server), as written,
// and checks what they made: secret ARNs that the template's parameters
// accept, and a role whose trust policy lets in exactly the OIDC subjects of
// deploy.yml's jobs (repo:<owner>/<name>:environment:<env>), and whose IAM
// permission covers the roles of each environment's stack.
func TestREADMEPipelineSetup(t *testing.T) {
	if _, err := exec.LookPath("aws"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("the aws CLI is needed to run README's pipeline setup (CI is set, so this is a failure)")
		}
		t.Skip("the aws CLI is not installed: README's pipeline setup is not run")
	}
	// README attaches an AWS managed policy, which moto knows only when asked to.
	t.Setenv("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
	endpoint := moto.Start(t)
	blocks, err := readmeSteps(Root(), "Operate")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	env := append(os.Environ(), "AWS_ENDPOINT_URL="+endpoint, "AWS_ACCESS_KEY_ID=testing", "AWS_SECRET_ACCESS_KEY=testing",
		"AWS_DEFAULT_REGION=eu-west-1", "AWS_CONFIG_FILE="+filepath.Join(dir, "none"), "AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(dir, "none"), "AWS_PAGER=")
	aws := func(script string) string {
		t.Helper()
		cmd := exec.Command("sh", "-ec", script)
		cmd.Dir, cmd.Env = dir, env
		start := time.Now()
		out, err := cmd.Output()
		if err != nil {
			var stderr []byte
			if ee, ok := err.(*exec.ExitError); ok {
				stderr = ee.Stderr
			}
			t.Fatalf("%s\n%v after %s\n%s%s", script, err, time.Since(start).Round(time.Millisecond), out, stderr)
		}
		return string(out)
	}

	var secrets, role []readmeBlock
	for _, b := range blocks {
		switch {
		case b.Lang == "sh" && strings.Contains(b.Text, "aws secretsmanager create-secret"):
			secrets = append(secrets, b)
		case b.Lang == "sh" && strings.Contains(b.Text, "aws iam "):
			role = append(role, b)
		}
	}
	if len(secrets) != 1 || len(role) != 2 {
		t.Fatalf("README, Operate: %d blocks creating secrets and %d making the role, want 1 and 2", len(secrets), len(role))
	}

	// The files README has the user write with an editor (which ends them with a newline).
	urls := map[string]string{"grip-url.txt": "https://api.fastly.com/service/SID?key=TOKEN", "grip-verify-url.txt": "https://api.fastly.com/service/SID"}
	for name, url := range urls {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(url+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cfn := translate(t)
	pattern := regexp.MustCompile(fmt.Sprint(asMap(cfn.Parameters["GripUrlSecretArn"])["AllowedPattern"]))
	arns := strings.Fields(aws(secrets[0].Text))
	if len(arns) != 2 {
		t.Fatalf("README's secrets step printed %q, want two ARNs", arns)
	}
	for _, arn := range arns {
		if !pattern.MatchString(arn) {
			t.Errorf("the ARN %s that README's step prints does not match GripUrlSecretArn's AllowedPattern %s", arn, pattern)
		}
		// What a function reads at its cold start.
		secret := aws("aws secretsmanager get-secret-value --secret-id " + arn + " --query SecretString --output text")
		if cfg, err := grip.ParseConfig(secret, ""); err != nil || len(cfg.Endpoints) != 1 || !slices.Contains(slices.Collect(maps.Values(urls)), strings.TrimSpace(secret)) {
			t.Errorf("secret %s holds %q: want one of the URLs README's files hold (%v)", arn, secret, err)
		}
	}

	script := role[0].Text + "\n" + role[1].Text
	aws(script)
	repo := regexp.MustCompile(`(?m)^REPO=(\S+)`).FindStringSubmatch(role[0].Text)
	if repo == nil {
		t.Fatal("README's role step sets no REPO=")
	}
	var trust struct {
		Statement []struct {
			Effect    string
			Action    string
			Principal struct{ Federated string }
			Condition map[string]map[string]any
		}
	}
	if err := json.Unmarshal([]byte(aws("aws iam get-role --role-name faas-grip-go-deploy --query Role.AssumeRolePolicyDocument --output json")), &trust); err != nil {
		t.Fatal(err)
	}
	if len(trust.Statement) != 1 {
		t.Fatalf("trust policy %+v: want one statement", trust)
	}
	st := trust.Statement[0]
	eq := st.Condition["StringEquals"]
	if st.Effect != "Allow" || st.Action != "sts:AssumeRoleWithWebIdentity" || !strings.HasSuffix(st.Principal.Federated, ":oidc-provider/token.actions.githubusercontent.com") ||
		eq["token.actions.githubusercontent.com:aud"] != "sts.amazonaws.com" {
		t.Errorf("trust policy %+v: want GitHub's OIDC provider, audience sts.amazonaws.com", st)
	}
	var want []string
	for _, env := range deployJobs(t, loadWorkflow(t, "deploy.yml")) {
		want = append(want, "repo:"+repo[1]+":environment:"+env)
	}
	var got []string
	for _, s := range asList(eq["token.actions.githubusercontent.com:sub"]) {
		got = append(got, fmt.Sprint(s))
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("the trust policy lets in %q, want deploy.yml's jobs: %q", got, want)
	}

	var inline struct{ Statement []struct{ Resource string } }
	if err := json.Unmarshal([]byte(aws("aws iam get-role-policy --role-name faas-grip-go-deploy --policy-name stack-roles --query PolicyDocument --output json")), &inline); err != nil {
		t.Fatal(err)
	}
	cfg := samconfig(t)
	for env := range cfg {
		stack := fmt.Sprint(cfg[env]["global"]["parameters"]["stack_name"])
		covered := false
		for _, s := range inline.Statement {
			_, res, _ := strings.Cut(s.Resource, ":role/")
			covered = covered || matches(res, stack+"-ChatFunctionRole-AbCdEf123")
		}
		if !covered {
			t.Errorf("the role's IAM permission %+v does not cover the roles of stack %s ([%s] of samconfig.toml)", inline, stack, env)
		}
	}
}

func matches(pattern, name string) bool {
	ok, _ := path.Match(pattern, name)
	return ok
}

// workflowFiles are the workflows of .github/workflows.
func workflowFiles(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(Root(), ".github", "workflows", "*.yml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no workflow in .github/workflows: %v", err)
	}
	return files
}
