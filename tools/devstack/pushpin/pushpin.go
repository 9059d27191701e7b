// Package pushpin runs a private Pushpin instance in front of a local
// origin: its own config in a temp dir (ports, rundir, a fresh signing key,
// one route to the origin), its own process group, and a clean stop that
// leaves no process or file behind.
//
// It works with Debian's package as an ordinary (non-root) process, which
// needs two fixes to the packaged config: the runner must also start zurl,
// and internal.conf's zurl sockets must move from /var/run/zurl into the
// instance's rundir.
package pushpin

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/faas-grip/faas-grip-go/tools/devstack/guard"
	"github.com/faas-grip/faas-grip-go/tools/devstack/proc"
)

// SigIssuer is the iss claim of the Grip-Sig tokens the instance signs.
const SigIssuer = "pushpin"

// Config describes an instance.
type Config struct {
	// Origin is the host:port every request is routed to, as the route
	// "* <Origin>,over_http".
	Origin string
	// Route, when set, replaces that route with a routes-file line of your
	// own: conditions, a space, then targets with their options, e.g.
	// "*,path_beg=/,replace_beg=/Prod/ 127.0.0.1:3000,over_http,host=api.example".
	// Tests use it to prove a documented route line against the local
	// gateway. It must be one line.
	Route string
	// HTTPPort is the client port (default 7999) and ControlPort the
	// control API's, push_in_http_port (default 5561). Both listen on
	// 127.0.0.1 only, behind the guard (package guard): the client port
	// serves only the Hosts 127.0.0.1:<HTTPPort>, localhost:<HTTPPort> and
	// Hosts; the control API refuses requests from web pages. Pushpin
	// itself listens on two other loopback ports.
	HTTPPort, ControlPort int
	// Hosts are more Host values the client port serves, such as the
	// API's domain in the gateway's deployed mode.
	Hosts []string
	// Unguarded puts Pushpin itself on HTTPPort and ControlPort, without
	// the guard: only to measure what the guard costs.
	Unguarded bool
	// SigKey signs Grip-Sig; empty means a fresh random key.
	SigKey string
	// Debug turns on Pushpin's informative error responses.
	Debug bool
	// MessageRate is the handler's message_rate: how many messages per
	// second it sends to clients, all connections together (the package
	// says 2500); published messages beyond it wait in a queue. 0 keeps the
	// packaged value; negative means no limit. Load tests raise it.
	MessageRate int
	// MessageHWM is the handler's message_hwm: how many messages may wait
	// for the rate limit before Pushpin drops more (the package says
	// 25000). 0 keeps the packaged value.
	MessageHWM int
	// MaxOpenRequests is the proxy's max_open_requests: how many requests
	// on their way to the origin plus WebSocket connections it serves at
	// once; more wait in line (the package has no limit). Pushpin 1.36
	// answers 502 "Error while proxying to origin" to requests that start
	// in a burst of more than about 100 (its queue to zurl holds 100, and
	// 500 long-polls released together come back together), so a limit of
	// about 50 turns such a burst into a queue. It counts every open
	// WebSocket too, and does not hold back the requests Pushpin makes
	// again itself (a held request whose prev-id is behind). 0 keeps the
	// packaged value.
	MaxOpenRequests int
	// Binary is the pushpin executable; default "pushpin" on PATH.
	Binary string
	// Output receives Pushpin's log (all services merged); it is also kept
	// in the instance's dir and quoted when the start fails. nil: not shown.
	Output io.Writer
	// StartTimeout bounds the wait for both ports; default 20s.
	StartTimeout time.Duration
	Logger       *slog.Logger
}

// Instance is a running Pushpin.
type Instance struct {
	cfg     Config
	dir     string
	logPath string
	logFile *os.File
	p       *proc.Process
	guards  []*guard.Server
	once    sync.Once
	stopErr error
}

// Start writes the config and starts Pushpin, returning once a held request
// passes through it and its control API answers.
func Start(ctx context.Context, cfg Config) (*Instance, error) {
	switch {
	case cfg.Origin == "" && cfg.Route == "":
		return nil, errors.New("pushpin: Config.Origin or Config.Route is required")
	case strings.ContainsAny(cfg.Route, "\r\n"):
		return nil, errors.New("pushpin: Config.Route must be one routes-file line")
	}
	if cfg.HTTPPort == 0 {
		cfg.HTTPPort = 7999
	}
	if cfg.ControlPort == 0 {
		cfg.ControlPort = 5561
	}
	if cfg.SigKey == "" {
		cfg.SigKey = NewSigKey()
	}
	if cfg.StartTimeout <= 0 {
		cfg.StartTimeout = 20 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	inst, err := locate(cfg.Binary)
	if err != nil {
		return nil, err
	}
	for _, port := range []int{cfg.HTTPPort, cfg.ControlPort} {
		if err := checkPortFree(port); err != nil {
			return nil, err
		}
	}

	dir, err := tempDir()
	if err != nil {
		return nil, fmt.Errorf("pushpin: %w", err)
	}
	probe, err := startProbeOrigin()
	if err != nil {
		_ = os.RemoveAll(dir)
		return nil, fmt.Errorf("pushpin: %w", err)
	}
	defer probe.close() // only needed until ready

	i := &Instance{cfg: cfg, dir: dir, logPath: filepath.Join(dir, "log", "pushpin.log")}
	own := cfg // Pushpin's own ports: the guard's upstream
	if !cfg.Unguarded {
		own.HTTPPort, own.ControlPort, err = i.startGuard()
	}
	var confPath string
	if err == nil {
		confPath, err = writeConfig(inst, dir, &own, probe.addr())
	}
	if err == nil {
		i.logFile, err = os.Create(i.logPath)
	}
	if err != nil {
		i.cleanup()
		return nil, err
	}

	var out io.Writer = i.logFile
	if cfg.Output != nil {
		out = io.MultiWriter(i.logFile, cfg.Output)
	}
	// --merge-output: the services log to our stdout, not to files.
	cmd := exec.Command(inst.binary, "--config", confPath, "--merge-output")
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = out, out
	if i.p, err = proc.Start(cmd); err != nil {
		i.cleanup()
		return nil, fmt.Errorf("pushpin: start %s: %w", inst.binary, err)
	}
	cfg.Logger.Debug("pushpin started", "pid", i.p.Pid(), "dir", dir, "config", confPath)

	if err := i.waitReady(ctx); err != nil {
		_ = i.Stop()
		return nil, err
	}
	return i, nil
}

// tempDir makes the instance's dir. ipc socket paths must stay short (104
// bytes on macOS, whose TMPDIR is long), hence /tmp when TMPDIR is deep.
func tempDir() (string, error) {
	parent := ""
	if len(os.TempDir()) > 40 {
		parent = "/tmp"
	}
	return os.MkdirTemp(parent, "pushpin-")
}

func checkPortFree(port int) error {
	ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		return &SetupError{Msg: fmt.Sprintf("port %d is in use (another Pushpin, or a previous run?): %v", port, err)}
	}
	return ln.Close()
}

// waitReady polls until a held request passes through Pushpin and the
// control API answers.
func (i *Instance) waitReady(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, i.cfg.StartTimeout)
	defer cancel()
	client := &http.Client{}
	proxyUp, controlUp := false, false
	for {
		proxyUp = proxyUp || probeProxy(ctx, client, i.URL())
		controlUp = controlUp || probeControl(ctx, client, i.ControlURL())
		if proxyUp && controlUp {
			return nil
		}
		select {
		case <-i.p.Done():
			return &StartError{Msg: "pushpin exited: " + i.p.ExitDescription(), Log: i.LogTail(30)}
		case <-ctx.Done():
			return &StartError{Msg: fmt.Sprintf("pushpin not ready in time (proxy %v, control API %v)", proxyUp, controlUp), Log: i.LogTail(30)}
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// StartError is a Pushpin that did not come up, with the end of its log.
type StartError struct {
	Msg string
	Log string
}

func (e *StartError) Error() string { return "pushpin: " + e.Msg + "\n" + e.Log }

// URL is the client URL, e.g. http://127.0.0.1:7999.
func (i *Instance) URL() string { return "http://127.0.0.1:" + strconv.Itoa(i.cfg.HTTPPort) }

// ControlURL is the control API's URL (publish with POST ControlURL()/publish/).
func (i *Instance) ControlURL() string { return "http://127.0.0.1:" + strconv.Itoa(i.cfg.ControlPort) }

// SigKey is the key that signs Grip-Sig.
func (i *Instance) SigKey() string { return i.cfg.SigKey }

// GripURL is the GRIP_URL for functions behind this instance: its control
// API, with the issuer and key that verify its Grip-Sig.
func (i *Instance) GripURL() string { return GripURL(i.ControlURL(), i.cfg.SigKey) }

// GripURL is the GRIP_URL of a Pushpin control API whose Grip-Sig tokens
// are signed with sigKey.
func GripURL(controlURL, sigKey string) string {
	q := url.Values{"verify-iss": {SigIssuer}, "verify-key": {sigKey}}
	return controlURL + "?" + q.Encode()
}

// Dir is the instance's temp dir (config, rundir, log); Stop removes it.
func (i *Instance) Dir() string { return i.dir }

// Pid is the runner's pid.
func (i *Instance) Pid() int { return i.p.Pid() }

// Tree lists the pids of the runner and its services (condure, zurl, proxy,
// handler), which run in process groups of their own.
func (i *Instance) Tree() []int { return i.p.Tree() }

// LogTail returns the last n lines of the log.
func (i *Instance) LogTail(n int) string {
	b, err := os.ReadFile(i.logPath)
	if err != nil {
		return ""
	}
	lines := bytes.Split(bytes.TrimRight(b, "\n"), []byte("\n"))
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return string(bytes.Join(lines, []byte("\n")))
}

// Stop stops Pushpin and its services (SIGTERM, then SIGKILL after 5s) and
// removes the temp dir. It is safe to call more than once.
func (i *Instance) Stop() error {
	i.once.Do(func() {
		if i.p != nil {
			i.stopErr = i.p.Stop(5 * time.Second)
		}
		i.cleanup()
	})
	return i.stopErr
}

func (i *Instance) cleanup() {
	for _, g := range i.guards {
		_ = g.Close()
	}
	if i.logFile != nil {
		_ = i.logFile.Close()
	}
	if err := os.RemoveAll(i.dir); err != nil && i.stopErr == nil {
		i.stopErr = err
	}
}

// NewSigKey returns a fresh random signing key: 32 random bytes, hex, so it
// needs no escaping in pushpin.conf or in a GRIP_URL.
func NewSigKey() string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
