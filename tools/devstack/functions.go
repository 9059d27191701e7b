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

	"github.com/faas-grip/faas-grip-go/tools/devstack/build"
	"github.com/faas-grip/faas-grip-go/tools/devstack/runtimeapi"
	"github.com/faas-grip/faas-grip-go/tools/template"
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
	// Overrides is the env-vars file (sam's --env-vars format).
	Overrides template.EnvOverrides
	// Extra are local values, e.g. GRIP_URL and HISTORY_DIR: like the
	// env-vars file, they set only variables the function declares, under
	// the file's values. A name it does not declare is left out, with a
	// warning.
	Extra map[string]string
	// Host is what sam local takes from this machine; nil reads it (this
	// process's environment and AWS credentials).
	Host   *HostEnv
	Region string
	Output io.Writer // function logs, each line prefixed with "[LogicalId] "
	Logger *slog.Logger
}

// HostEnv is what a function may take from this machine, as in sam local:
// values for the variables the template declares, and AWS credentials.
type HostEnv struct {
	Shell       map[string]string
	Credentials Credentials
}

// ReadHostEnv reads this process's environment and AWS credentials.
func ReadHostEnv() *HostEnv {
	return &HostEnv{Shell: ShellEnv(os.Environ()), Credentials: HostCredentials(os.Getenv)}
}

// NewFunction returns the local execution environment of fn, with the
// environment sam local invoke would give it (see FunctionEnvironment).
// Variables the local settings or the env-vars file set but fn does not
// declare are logged (see logIgnored).
func NewFunction(fn *template.Function, executable string, opts FunctionOptions) (*runtimeapi.Function, error) {
	host := opts.Host
	if host == nil {
		host = ReadHostEnv()
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	env, ignored := FunctionEnvironment(fn, EnvSources{
		Shell:       host.Shell,
		Local:       opts.Extra,
		File:        opts.Overrides,
		Credentials: host.Credentials,
	})
	for _, ig := range ignored {
		logIgnored(opts.Logger, fn.LogicalID, ig)
	}

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
		LogLevel:   fn.LogLevel,
		Output:     out,
		Logger:     opts.Logger,
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", fn.LogicalID, err)
	}
	return f, nil
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

// logIgnored says which variables fn did not get because its template does
// not declare them. What the env-vars file asked for is a warning: someone
// wrote it for this function and sam would drop it silently. What make dev
// offers every function (HISTORY_DIR) is only information: most functions
// have no use for it.
func logIgnored(log *slog.Logger, logicalID string, ig Ignored) {
	names := strings.Join(ig.Names, ", ")
	them := "them"
	if len(ig.Names) == 1 {
		them = "it"
	}
	level := slog.LevelWarn
	if ig.Source == SourceLocal {
		level = slog.LevelInfo
	}
	log.Log(context.Background(), level,
		logicalID+" does not declare "+names+" in template.yaml, so the "+ig.Source+" cannot set "+them+
			" (sam local would not either); declare "+them+" under the function's Environment.Variables, even as \"\", to set "+them,
		"function", logicalID, "source", ig.Source, "ignored", names)
}

// Rebuild builds a function again, the way Start built it, into a folder of
// its own, and only when the build succeeds swaps it in (see
// runtimeapi.Function.Replace): an invocation in progress finishes on the
// old build, the next one starts the new. A failed build, a *build.Error
// with the compiler's output, leaves the old build serving.
func (s *Stack) Rebuild(ctx context.Context, logicalID string) error {
	f, ok := s.functions[logicalID]
	fn, _ := s.Template.Function(logicalID)
	if !ok || fn == nil {
		return fmt.Errorf("devstack: no function %q (have %v)", logicalID, s.FunctionIDs())
	}
	dir, err := s.rebuildDir(logicalID)
	if err != nil {
		return err
	}
	start := time.Now()
	path, err := build.Function(ctx, fn, dir, build.Options{Dir: s.dir})
	if err != nil {
		_ = os.RemoveAll(dir)
		return err
	}
	old, err := f.Replace(ctx, path)
	if err != nil {
		_ = os.RemoveAll(dir)
		return err
	}
	s.mu.Lock()
	s.binaries[logicalID] = path
	buildDir := s.buildDir
	s.mu.Unlock()
	// Builds Start was given (Options.Binaries) belong to the caller.
	if oldDir := filepath.Dir(old); filepath.Dir(oldDir) == buildDir {
		_ = os.RemoveAll(oldDir)
	}
	s.log.Debug("rebuilt", "function", logicalID, "duration", time.Since(start).Round(time.Millisecond))
	return nil
}

// rebuildDir makes a new folder for a build of logicalID in the stack's
// build folder: the running build stays in place until it is replaced.
func (s *Stack) rebuildDir(logicalID string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.buildDir == "" {
		dir, err := os.MkdirTemp("", "devstack-build-")
		if err != nil {
			return "", err
		}
		s.buildDir = dir
	}
	s.rebuilds++
	dir := filepath.Join(s.buildDir, fmt.Sprintf("%s.%d", logicalID, s.rebuilds))
	return dir, os.Mkdir(dir, 0o755)
}
