// Package devstack runs a SAM application on this machine without Docker
// and without AWS: every function of template.yaml built for the host and
// run through the Lambda Runtime API (runtimeapi), a local API Gateway for
// the template's Api events (apigateway), and a private Pushpin in front
// (pushpin) whose control URL and fresh signing key the functions get as
// GRIP_URL. `make dev` (cmd/dev) and the end-to-end tests (e2e) use it.
package devstack

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"github.com/faas-grip/faas-grip-go/internal/devstack/apigateway"
	"github.com/faas-grip/faas-grip-go/internal/devstack/pushpin"
	"github.com/faas-grip/faas-grip-go/internal/devstack/runtimeapi"
	"github.com/faas-grip/faas-grip-go/internal/devstack/template"
)

// Options configures a Stack. Zero ports mean "any free port".
type Options struct {
	// Dir is the project root, with template.yaml and the Makefile; default ".".
	Dir string
	// EnvVars is an env-vars file in sam's format (see template.EnvOverrides).
	EnvVars string
	// Env holds variables for every function, set over the template's and
	// under the env-vars file's (e.g. HISTORY_DIR, LONGPOLL_TIMEOUT).
	Env map[string]string
	// APIPort is the local API Gateway's, ProxyPort Pushpin's client port
	// and ControlPort its control API's. All listen on 127.0.0.1.
	APIPort, ProxyPort, ControlPort int
	// FunctionOutput receives the functions' logs, one "[LogicalId] " prefix
	// per line; PushpinOutput Pushpin's. nil discards them.
	FunctionOutput, PushpinOutput io.Writer
	// Logger gets the stack's own messages and one line per API request.
	Logger *slog.Logger
}

// Stack is a running local application.
type Stack struct {
	Template  *template.Template
	functions map[string]*runtimeapi.Function
	apiLn     net.Listener
	apiServer *http.Server
	proxy     *pushpin.Instance
	buildDir  string
	log       *slog.Logger
}

// Start builds the functions and starts everything. On error, whatever
// had started is stopped again.
func Start(ctx context.Context, opts Options) (_ *Stack, err error) {
	if opts.Dir == "" {
		opts.Dir = "."
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	s := &Stack{functions: map[string]*runtimeapi.Function{}, log: opts.Logger}
	defer func() {
		if err != nil {
			_ = s.Close()
		}
	}()

	if s.Template, err = template.Load(filepath.Join(opts.Dir, "template.yaml")); err != nil {
		return nil, err
	}
	overrides, err := template.LoadEnvOverrides(opts.EnvVars)
	if err != nil {
		return nil, err
	}
	fns := make([]*template.Function, len(s.Template.Functions))
	for i := range s.Template.Functions {
		fns[i] = &s.Template.Functions[i]
	}

	if s.buildDir, err = os.MkdirTemp("", "devstack-build-"); err != nil {
		return nil, err
	}
	start := time.Now()
	bins, err := BuildFunctions(ctx, opts.Dir, fns, s.buildDir, s.log)
	if err != nil {
		return nil, err
	}
	s.log.Info("functions built for this machine", "count", len(bins), "duration", time.Since(start).Round(time.Millisecond))

	// Ports first: the functions' GRIP_URL names the control port, and
	// Pushpin's route names the API's.
	if s.apiLn, err = net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(opts.APIPort)); err != nil {
		return nil, fmt.Errorf("local API Gateway: %w", err)
	}
	if opts.ProxyPort == 0 || opts.ControlPort == 0 {
		free, err := freePorts(2)
		if err != nil {
			return nil, err
		}
		if opts.ProxyPort == 0 {
			opts.ProxyPort = free[0]
		}
		if opts.ControlPort == 0 {
			opts.ControlPort = free[1]
		}
	}
	sigKey := pushpin.NewSigKey()
	gripURL := pushpin.GripURL("http://127.0.0.1:"+strconv.Itoa(opts.ControlPort), sigKey)

	var fnOut io.Writer
	if opts.FunctionOutput != nil {
		fnOut = NewSyncWriter(opts.FunctionOutput)
	}
	extra := map[string]string{"GRIP_URL": gripURL}
	maps.Copy(extra, opts.Env)
	invokers := map[string]apigateway.Invoker{}
	for _, fn := range fns {
		f, err := NewFunction(fn, bins[fn.LogicalID], FunctionOptions{
			Overrides: overrides,
			Extra:     extra,
			Region:    Region(),
			Output:    fnOut,
			Logger:    s.log,
		})
		if err != nil {
			return nil, err
		}
		s.functions[fn.LogicalID] = f
		invokers[fn.LogicalID] = f
	}

	gw, err := apigateway.New(apigateway.Config{
		Routes:           apigateway.RoutesFromTemplate(s.Template),
		Functions:        invokers,
		BinaryMediaTypes: s.Template.BinaryMediaTypes,
		Logger:           s.log,
	})
	if err != nil {
		return nil, err
	}
	s.apiServer = &http.Server{Handler: gw, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := s.apiServer.Serve(s.apiLn); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("local API Gateway stopped", "error", err)
		}
	}()

	s.proxy, err = pushpin.Start(ctx, pushpin.Config{
		Origin:      s.apiLn.Addr().String(),
		HTTPPort:    opts.ProxyPort,
		ControlPort: opts.ControlPort,
		SigKey:      sigKey,
		Debug:       true,
		Output:      opts.PushpinOutput,
		Logger:      s.log,
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}

// APIURL is the local API Gateway's base URL (no stage in the path).
func (s *Stack) APIURL() string { return "http://" + s.apiLn.Addr().String() }

// ProxyURL is Pushpin's client URL: what browsers and clients open.
func (s *Stack) ProxyURL() string { return s.proxy.URL() }

// ControlURL is Pushpin's control API (POST ControlURL()/publish/).
func (s *Stack) ControlURL() string { return s.proxy.ControlURL() }

// GripURL is the GRIP_URL the functions got.
func (s *Stack) GripURL() string { return s.proxy.GripURL() }

// Pushpin is the running Pushpin instance.
func (s *Stack) Pushpin() *pushpin.Instance { return s.proxy }

// Routes lists the API's routes.
func (s *Stack) Routes() []apigateway.Route { return apigateway.RoutesFromTemplate(s.Template) }

// FunctionIDs lists the functions' logical ids, sorted.
func (s *Stack) FunctionIDs() []string {
	ids := make([]string, 0, len(s.functions))
	for id := range s.functions {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// Invoke runs one function on one event directly, as Lambda's event sources
// (SQS, a direct invoke) do.
func (s *Stack) Invoke(ctx context.Context, logicalID string, event []byte) ([]byte, error) {
	f, ok := s.functions[logicalID]
	if !ok {
		return nil, fmt.Errorf("devstack: no function %q (have %v)", logicalID, s.FunctionIDs())
	}
	return f.Invoke(ctx, event)
}

// Close stops Pushpin, the API Gateway and every function process, and
// removes the temp dirs.
func (s *Stack) Close() error {
	var errs []error
	if s.proxy != nil {
		errs = append(errs, s.proxy.Stop())
	}
	if s.apiServer != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		if err := s.apiServer.Shutdown(ctx); err != nil {
			_ = s.apiServer.Close()
		}
		cancel()
	} else if s.apiLn != nil {
		_ = s.apiLn.Close()
	}
	for _, f := range s.functions {
		errs = append(errs, f.Close())
	}
	if s.buildDir != "" {
		errs = append(errs, os.RemoveAll(s.buildDir))
	}
	return errors.Join(errs...)
}

// freePorts returns n loopback ports that were free a moment ago.
func freePorts(n int) ([]int, error) {
	var ports []int
	for range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		defer ln.Close()
		ports = append(ports, ln.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}
