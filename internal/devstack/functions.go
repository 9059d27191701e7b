package devstack

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/faas-grip/faas-grip-go/internal/devstack/build"
	"github.com/faas-grip/faas-grip-go/internal/devstack/runtimeapi"
	"github.com/faas-grip/faas-grip-go/internal/devstack/template"
)

// BuildFunctions builds fns for the host into buildDir/<LogicalId>/ and
// returns each bootstrap's path by logical id. Two builds run at a time.
func BuildFunctions(ctx context.Context, projectDir string, fns []*template.Function, buildDir string, log *slog.Logger) (map[string]string, error) {
	var (
		mu    sync.Mutex
		paths = map[string]string{}
		errs  []error
		wg    sync.WaitGroup
		slots = make(chan struct{}, 2)
	)
	for _, fn := range fns {
		wg.Go(func() {
			slots <- struct{}{}
			defer func() { <-slots }()
			start := time.Now()
			path, err := build.Function(ctx, fn, filepath.Join(buildDir, fn.LogicalID), build.Options{Dir: projectDir})
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, err)
				return
			}
			log.Debug("built", "function", fn.LogicalID, "duration", time.Since(start).Round(time.Millisecond))
			paths[fn.LogicalID] = path
		})
	}
	wg.Wait()
	if len(errs) > 0 {
		return nil, errs[0]
	}
	return paths, nil
}

// FunctionOptions are the local settings every function shares.
type FunctionOptions struct {
	Overrides template.EnvOverrides
	// Extra variables set before the overrides, e.g. GRIP_URL; they win
	// over the template's.
	Extra  map[string]string
	Region string
	Output io.Writer // function logs, each line prefixed with "[LogicalId] "
	Logger *slog.Logger
}

// NewFunction returns the local execution environment of fn.
func NewFunction(fn *template.Function, executable string, opts FunctionOptions) (*runtimeapi.Function, error) {
	env := HostEnvironment()
	for k, v := range fn.Environment {
		env[k] = v
	}
	for k, v := range opts.Extra {
		env[k] = v
	}
	env = opts.Overrides.Apply(fn.LogicalID, env)

	var out io.Writer
	if opts.Output != nil {
		out = NewPrefixWriter(opts.Output, "["+fn.LogicalID+"] ")
	}
	f, err := runtimeapi.New(runtimeapi.Config{
		Name:       fn.FunctionName,
		Executable: executable,
		Env:        env,
		Timeout:    fn.Timeout,
		MemoryMB:   fn.MemorySize,
		Region:     opts.Region,
		LogFormat:  fn.LogFormat,
		Output:     out,
		Logger:     opts.Logger,
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", fn.LogicalID, err)
	}
	return f, nil
}

// HostEnvironment is what a local function inherits from this machine:
// PATH, HOME and TMPDIR, and the AWS credential and endpoint settings (as
// sam local passes them) so a function may still reach AWS, or a local
// stand-in such as moto_server, on purpose.
func HostEnvironment() map[string]string {
	env := map[string]string{}
	for _, kv := range os.Environ() {
		k, v, _ := strings.Cut(kv, "=")
		switch {
		case k == "PATH", k == "HOME", k == "TMPDIR",
			k == "AWS_ACCESS_KEY_ID", k == "AWS_SECRET_ACCESS_KEY", k == "AWS_SESSION_TOKEN",
			k == "AWS_PROFILE", k == "AWS_CONFIG_FILE", k == "AWS_SHARED_CREDENTIALS_FILE",
			strings.HasPrefix(k, "AWS_ENDPOINT_URL"):
			env[k] = v
		}
	}
	return env
}

// Region is the region local functions see: the host's AWS_REGION or
// AWS_DEFAULT_REGION, else us-east-1.
func Region() string {
	for _, k := range []string{"AWS_REGION", "AWS_DEFAULT_REGION"} {
		if v := os.Getenv(k); v != "" {
			return v
		}
	}
	return "us-east-1"
}
