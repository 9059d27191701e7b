// Package devstack runs a SAM application on this machine without Docker
// and without AWS: every function of template.yaml built for the host and
// run through the Lambda Runtime API (runtimeapi), a local API Gateway for
// the template's Api and HttpApi events (apigateway), and a private Pushpin in front
// (pushpin) whose control URL and fresh signing key the functions get as
// GRIP_URL, behind a guard (guard) that keeps web pages in the developer's
// browser from publishing or reading through it. `make dev` (cmd/dev) and the end-to-end tests (e2e) use it.
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
	"strings"
	"sync"
	"time"

	"github.com/faas-grip/faas-grip-go/tools/devstack/apigateway"
	"github.com/faas-grip/faas-grip-go/tools/devstack/pushpin"
	"github.com/faas-grip/faas-grip-go/tools/devstack/runtimeapi"
	"github.com/faas-grip/faas-grip-go/tools/template"
)

// Options configures a Stack. Zero ports mean "any free port".
type Options struct {
	// Dir is the project root, with template.yaml and the Makefile; default ".".
	Dir string
	// EnvVars is an env-vars file in sam's format (see template.EnvOverrides).
	EnvVars string
	// Env holds values for every function (e.g. HISTORY_DIR), over the
	// template's and under the env-vars file's. As with sam local's
	// --env-vars, they set only variables a function declares; GRIP_URL,
	// which the stack sets, too. See FunctionEnvironment.
	Env map[string]string
	// Parameters are template parameter values (sam's
	// --parameter-overrides): a !Ref to one gives this value, not its Default.
	Parameters map[string]string
	// Template is the template to run instead of Dir/template.yaml (whose
	// Makefile still builds the functions), e.g. a test fixture.
	Template string
	// PushpinRoute, when set, is every Pushpin instance's route line
	// instead of "* <API>,over_http" (see pushpin.Config.Route): a test
	// proving a documented proxy configuration against the local gateway.
	// Set APIPort too, so that the line can name the gateway.
	PushpinRoute string
	// Domain turns on the gateway's deployed mode (apigateway.Config.Domain):
	// only requests with this Host are served, REST routes under /Prod/.
	// Pushpin then gets the route a deployed API needs (DeployedRoute),
	// unless PushpinRoute says otherwise.
	Domain string
	// Unguarded runs Pushpin without the guard in front of its ports
	// (pushpin.Config.Unguarded): only to measure what the guard costs.
	Unguarded bool
	// APIPort is the local API Gateway's, ProxyPort Pushpin's client port
	// and ControlPort its control API's. All listen on 127.0.0.1.
	APIPort, ProxyPort, ControlPort int
	// Pushpins is how many Pushpin instances run in front of the API
	// (default 1), each with its own ports, rundir and signing key. The
	// functions' GRIP_URL names every instance's control API, so a publish
	// reaches the clients of all of them, and verifies the Grip-Sig of
	// each. ProxyPort and ControlPort, when set, are the first instance's;
	// the others get free ports.
	Pushpins int
	// PushpinMessageRate, PushpinMessageHWM and PushpinMaxOpenRequests set
	// Pushpin's message_rate, message_hwm and max_open_requests (see
	// pushpin.Config) on every instance; 0 keeps the packaged values. Load
	// tests tune them.
	PushpinMessageRate, PushpinMessageHWM, PushpinMaxOpenRequests int
	// FunctionOutput receives the functions' logs, one "[LogicalId] " prefix
	// per line; PushpinOutput Pushpin's. nil discards them.
	FunctionOutput, PushpinOutput io.Writer
	// Logger gets the stack's own messages and one line per API request.
	Logger *slog.Logger
	// Binaries are bootstraps already built for this machine (with
	// BuildFunctions), by logical id; Start builds the other functions.
	// Several stacks in a row can share one build this way.
	Binaries map[string]string
}

// Stack is a running local application.
type Stack struct {
	Template  *template.Template
	functions map[string]*runtimeapi.Function
	apiLn     net.Listener
	apiServer *http.Server
	gripURL   string
	dir       string // Options.Dir, where Rebuild builds from
	domain    string
	log       *slog.Logger

	mu         sync.Mutex
	buildDir   string              // made by Start or the first Rebuild; removed by Close
	binaries   map[string]string   // the builds running now
	rebuilds   int                 // names each rebuild's folder
	watchers   []*Watcher          // stopped first by Close
	proxies    []*pushpin.Instance // nil where StopPushpin stopped one
	proxyCfgs  []pushpin.Config    // what StartPushpin starts again
	proxyFirst *pushpin.Instance   // proxies[0] as it was last started
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
	if opts.Pushpins <= 0 {
		opts.Pushpins = 1
	}
	s := &Stack{functions: map[string]*runtimeapi.Function{}, log: opts.Logger}
	defer func() {
		if err != nil {
			_ = s.Close()
		}
	}()

	tplPath := opts.Template
	if tplPath == "" {
		tplPath = filepath.Join(opts.Dir, "template.yaml")
	}
	if s.Template, err = template.LoadWith(tplPath, template.ParseOptions{Parameters: opts.Parameters}); err != nil {
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

	var toBuild []*template.Function
	for _, fn := range fns {
		if opts.Binaries[fn.LogicalID] == "" {
			toBuild = append(toBuild, fn)
		}
	}
	bins := map[string]string{}
	if len(toBuild) > 0 {
		if s.buildDir, err = os.MkdirTemp("", "devstack-build-"); err != nil {
			return nil, err
		}
		start := time.Now()
		if bins, err = BuildFunctions(ctx, opts.Dir, toBuild, s.buildDir, s.log); err != nil {
			return nil, err
		}
		s.log.Info("functions built for this machine", "count", len(bins), "duration", time.Since(start).Round(time.Millisecond))
	}
	for id, path := range opts.Binaries {
		bins[id] = path
	}
	s.binaries = bins
	s.dir = opts.Dir
	s.domain = opts.Domain

	// Ports first: the functions' GRIP_URL names the control port, and
	// Pushpin's route names the API's.
	if s.apiLn, err = net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(opts.APIPort)); err != nil {
		return nil, fmt.Errorf("local API Gateway: %w", err)
	}
	free, err := freePorts(2 * opts.Pushpins)
	if err != nil {
		return nil, err
	}
	if opts.ProxyPort != 0 {
		free[0] = opts.ProxyPort
	}
	if opts.ControlPort != 0 {
		free[1] = opts.ControlPort
	}
	var gripURLs []string
	for i := range opts.Pushpins {
		cfg := pushpin.Config{
			Origin:          s.apiLn.Addr().String(),
			HTTPPort:        free[2*i],
			ControlPort:     free[2*i+1],
			SigKey:          pushpin.NewSigKey(),
			Debug:           true,
			MessageRate:     opts.PushpinMessageRate,
			MessageHWM:      opts.PushpinMessageHWM,
			MaxOpenRequests: opts.PushpinMaxOpenRequests,
			Output:          opts.PushpinOutput,
			Logger:          s.log,
			Unguarded:       opts.Unguarded,
		}
		if opts.Domain != "" {
			// Harmless to serve: a rebinding page cannot take the API's name.
			cfg.Hosts = []string{opts.Domain}
		}
		cfg.Route = opts.PushpinRoute
		if cfg.Route == "" && opts.Domain != "" {
			cfg.Route = DeployedRoute(s.Template, cfg.Origin, opts.Domain)
		}
		s.proxyCfgs = append(s.proxyCfgs, cfg)
		gripURLs = append(gripURLs, pushpin.GripURL("http://127.0.0.1:"+strconv.Itoa(cfg.ControlPort), cfg.SigKey))
	}
	s.proxies = make([]*pushpin.Instance, opts.Pushpins)
	s.gripURL = strings.Join(gripURLs, ",")
	gripURL := s.gripURL

	var fnOut io.Writer
	if opts.FunctionOutput != nil {
		fnOut = NewSyncWriter(opts.FunctionOutput)
	}
	extra := map[string]string{"GRIP_URL": gripURL}
	maps.Copy(extra, opts.Env)
	host := ReadHostEnv()
	invokers := map[string]apigateway.Invoker{}
	for _, fn := range fns {
		f, err := NewFunction(fn, bins[fn.LogicalID], FunctionOptions{
			Overrides: overrides,
			Extra:     extra,
			Host:      host,
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
		Domain:           opts.Domain,
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

	for i := range s.proxyCfgs {
		if err := s.StartPushpin(ctx, i); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// APIURL is the local API Gateway's base URL (no stage in the path).
func (s *Stack) APIURL() string { return "http://" + s.apiLn.Addr().String() }

// ProxyURL is Pushpin's client URL: what browsers and clients open. With
// several instances, it is the first one's.
func (s *Stack) ProxyURL() string { return s.first().URL() }

// ControlURL is Pushpin's control API (POST ControlURL()/publish/). With
// several instances, it is the first one's.
func (s *Stack) ControlURL() string { return s.first().ControlURL() }

// GripURL is the GRIP_URL the functions got: every instance's control API
// and verify key, comma-separated.
func (s *Stack) GripURL() string { return s.gripURL }

// Pushpin is the (first) Pushpin instance.
func (s *Stack) Pushpin() *pushpin.Instance { return s.first() }

func (s *Stack) first() *pushpin.Instance {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.proxyFirst
}

// ProxyURLs are the client URLs of every Pushpin instance, in order
// (Options.Pushpins), whether running or stopped.
func (s *Stack) ProxyURLs() []string {
	urls := make([]string, len(s.proxyCfgs))
	for i, cfg := range s.proxyCfgs {
		urls[i] = "http://127.0.0.1:" + strconv.Itoa(cfg.HTTPPort)
	}
	return urls
}

// Pushpins returns the Pushpin instances, in order; an instance that
// StopPushpin stopped is nil until StartPushpin starts it again.
func (s *Stack) Pushpins() []*pushpin.Instance {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.proxies)
}

// StopPushpin stops Pushpin instance i (0 is the first), as if it had
// crashed: its clients lose their connections and publishing to it fails,
// while the functions keep running with the same GRIP_URL. Stopping a
// stopped instance does nothing.
func (s *Stack) StopPushpin(i int) error {
	if i < 0 || i >= len(s.proxyCfgs) {
		return fmt.Errorf("devstack: no Pushpin instance %d (have %d)", i, len(s.proxyCfgs))
	}
	s.mu.Lock()
	p := s.proxies[i]
	s.proxies[i] = nil
	s.mu.Unlock()
	if p == nil {
		return nil
	}
	return p.Stop()
}

// StartPushpin starts Pushpin instance i again after StopPushpin, on the
// same ports with the same signing key, and returns once it is ready.
// Starting a running instance does nothing. Start uses it for every
// instance.
func (s *Stack) StartPushpin(ctx context.Context, i int) error {
	if i < 0 || i >= len(s.proxyCfgs) {
		return fmt.Errorf("devstack: no Pushpin instance %d (have %d)", i, len(s.proxyCfgs))
	}
	s.mu.Lock()
	running := s.proxies[i] != nil
	s.mu.Unlock()
	if running {
		return nil
	}
	p, err := pushpin.Start(ctx, s.proxyCfgs[i])
	if err != nil {
		if len(s.proxyCfgs) > 1 {
			err = fmt.Errorf("pushpin instance %d: %w", i, err)
		}
		return err
	}
	s.mu.Lock()
	s.proxies[i] = p
	if i == 0 {
		s.proxyFirst = p
	}
	s.mu.Unlock()
	return nil
}

// Domain is the API's domain in deployed mode, or "".
func (s *Stack) Domain() string { return s.domain }

// Binaries are the functions' bootstraps by logical id, valid until Close:
// another stack of the same functions can reuse them (Options.Binaries).
func (s *Stack) Binaries() map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.binaries)
}

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

// InvokeReport is Invoke, also reporting the invocation: its request id
// (the Lambda-Runtime-Aws-Request-Id the function got) and durations.
func (s *Stack) InvokeReport(ctx context.Context, logicalID string, event []byte) ([]byte, runtimeapi.Report, error) {
	f, ok := s.functions[logicalID]
	if !ok {
		return nil, runtimeapi.Report{}, fmt.Errorf("devstack: no function %q (have %v)", logicalID, s.FunctionIDs())
	}
	return f.InvokeReport(ctx, event)
}

// Close stops Pushpin, the API Gateway and every function process, and
// removes the temp dirs.
func (s *Stack) Close() error {
	var errs []error
	s.mu.Lock()
	watchers := s.watchers
	s.watchers = nil
	s.mu.Unlock()
	for _, w := range watchers {
		errs = append(errs, w.Close())
	}
	for i := range s.proxies {
		errs = append(errs, s.StopPushpin(i))
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
	s.mu.Lock()
	buildDir := s.buildDir
	s.mu.Unlock()
	if buildDir != "" {
		errs = append(errs, os.RemoveAll(buildDir))
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
