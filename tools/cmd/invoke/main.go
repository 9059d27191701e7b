// Command invoke runs one function of template.yaml on one event, through
// the Lambda Runtime API as on AWS, without Docker:
//
//	go run ./tools/cmd/invoke -fn ChatFunction -event events/chat-message.json
//	make invoke FN=ChatFunction EVENT=events/chat-message.json
//
// It builds the function for this machine, prints the response JSON on
// stdout as `sam local invoke` does, and the function's logs, its cold
// start (exec to its first request for work) and invocation time on stderr.
// The exit status is 1 when the function fails.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/faas-grip/faas-grip-go/tools/devstack"
	"github.com/faas-grip/faas-grip-go/tools/devstack/runtimeapi"
	"github.com/faas-grip/faas-grip-go/tools/template"
)

// defaultGripURL is a Pushpin with its stock settings on this machine (as
// `make dev` runs it): the sample events' Grip-Sig is signed with its
// default key, "changeme".
const defaultGripURL = "http://127.0.0.1:5561?verify-iss=pushpin&verify-key=changeme"

func main() {
	os.Exit(run())
}

func run() int {
	var (
		fn      = flag.String("fn", "", "logical id of the function in template.yaml, e.g. ChatFunction")
		event   = flag.String("event", "", `event file (JSON), "-" for stdin; none means {}`)
		envVars = flag.String("env-vars", os.Getenv("ENV_VARS"), "env-vars file in sam's format (default $ENV_VARS)")
		dir     = flag.String("dir", ".", "project directory, with template.yaml and the Makefile")
		gripURL = flag.String("grip-url", envOr("GRIP_URL", defaultGripURL), "GRIP_URL given to the function (default $GRIP_URL, else a local Pushpin)")
		params  = flag.String("parameter-overrides", "", `template parameter values, as sam's: "Key=Value Key2=Value2"`)
		verbose = flag.Bool("v", false, "log what the tool does")
	)
	flag.Parse()
	level := slog.LevelWarn
	if *verbose {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	if *fn == "" || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: invoke -fn <LogicalId> [-event file.json] [-env-vars env.json]")
		return 2
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	req := request{dir: *dir, function: *fn, eventPath: *event, envVarsPath: *envVars, gripURL: *gripURL, parameters: *params}
	if err := invoke(ctx, log, req, os.Stdout, os.Stderr); err != nil {
		var fnErr *runtimeapi.Error
		if !errors.As(err, &fnErr) {
			fmt.Fprintln(os.Stderr, "invoke:", err)
		}
		return 1
	}
	return 0
}

// request is what to invoke, from the flags.
type request struct {
	dir, function, eventPath, envVarsPath, gripURL string
	parameters                                     string // sam's --parameter-overrides
}

// invoke builds and runs the function, printing its response (or error
// document) to stdout and its logs and timings to stderr.
func invoke(ctx context.Context, log *slog.Logger, req request, stdout, stderr io.Writer) error {
	stderr = devstack.NewSyncWriter(stderr) // shared with the function's log
	dir, logicalID := req.dir, req.function
	params, err := template.ParseParameterOverrides(req.parameters)
	if err != nil {
		return err
	}
	tpl, err := template.LoadWith(filepath.Join(dir, "template.yaml"), template.ParseOptions{Parameters: params})
	if err != nil {
		return err
	}
	fn, ok := tpl.Function(logicalID)
	if !ok {
		var ids []string
		for _, f := range tpl.Functions {
			ids = append(ids, f.LogicalID)
		}
		return fmt.Errorf("no function %q in template.yaml (functions: %s)", logicalID, strings.Join(ids, ", "))
	}
	event, err := readEvent(req.eventPath)
	if err != nil {
		return err
	}
	overrides, err := template.LoadEnvOverrides(req.envVarsPath)
	if err != nil {
		return err
	}
	if fixDockerHost(overrides, fn.LogicalID) {
		fmt.Fprintln(stderr, "invoke: GRIP_URL names host.docker.internal; using 127.0.0.1, as the function runs on this machine")
	}

	buildDir, err := os.MkdirTemp("", "invoke-build-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(buildDir)
	start := time.Now()
	bins, err := devstack.BuildFunctions(ctx, dir, []*template.Function{fn}, buildDir, log)
	if err != nil {
		return err
	}
	log.Debug("built", "function", logicalID, "duration", time.Since(start))

	extra, err := devstack.LocalEnv(dir)
	if err != nil {
		return err
	}
	extra["GRIP_URL"] = req.gripURL
	f, err := devstack.NewFunction(fn, bins[logicalID], devstack.FunctionOptions{
		Overrides: overrides,
		Extra:     extra,
		Region:    devstack.Region(),
		Output:    stderr,
		Logger:    log,
	})
	if err != nil {
		return err
	}
	defer f.Close()

	out, rep, err := f.InvokeReport(ctx, event)
	var fnErr *runtimeapi.Error
	if errors.As(err, &fnErr) {
		out = fnErr.Payload // sam local invoke prints the error document
	} else if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "REPORT RequestId: %s\tInit Duration: %s\tDuration: %s\n",
		rep.RequestID, millis(rep.InitDuration), millis(rep.Duration))
	fmt.Fprintf(stdout, "%s\n", out)
	return err
}

func readEvent(path string) ([]byte, error) {
	switch path {
	case "":
		return []byte("{}"), nil
	case "-":
		return io.ReadAll(os.Stdin)
	}
	return os.ReadFile(path)
}

// fixDockerHost points a GRIP_URL at host.docker.internal (the machine
// running Docker, as sam local's env-vars files say) at this machine,
// where the function now runs. It reports whether it changed one.
func fixDockerHost(o template.EnvOverrides, logicalID string) bool {
	changed := false
	for _, section := range []string{"Parameters", logicalID} {
		v, ok := o[section]["GRIP_URL"]
		if !ok {
			continue
		}
		if u, err := url.Parse(v); err == nil && u.Hostname() == "host.docker.internal" {
			o[section]["GRIP_URL"] = strings.Replace(v, "host.docker.internal", "127.0.0.1", 1)
			changed = true
		}
	}
	return changed
}

func millis(d time.Duration) string {
	return fmt.Sprintf("%.2f ms", float64(d.Microseconds())/1000)
}

func envOr(name, fallback string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return fallback
}
