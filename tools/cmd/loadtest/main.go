// Command loadtest puts the local stack under load through real Pushpin
// (`make loadtest`, flags through LOADTEST_FLAGS) and checks that nothing is
// lost, duplicated or reordered:
//
//   - chat: WebSocket clients of the chat function, a few of them sending
//     through it; every client must get every message once, in order per
//     sender;
//   - stream: HTTP streaming clients, plain and SSE, receiving items
//     published through the publish function (invoked directly, as its
//     SQS trigger would);
//   - longpoll: long-poll clients held by Pushpin and released by
//     publishes, each polling again with its last id;
//   - scaleout: the three again on a stack with two Pushpin instances,
//     clients spread over both, the functions' GRIP_URL naming both
//     control APIs.
//
// Everything runs on loopback: the functions as processes behind the
// Lambda Runtime API, a local API Gateway, and Pushpin instances on free
// ports with their own run dirs. It prints delivered/expected, duplicates,
// out-of-order deliveries, errors and send-to-receive latency per scenario,
// and exits 1 if anything was lost or wrong.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/faas-grip/faas-grip-go/tools/devstack"
	"github.com/faas-grip/faas-grip-go/tools/loadtest"
	"github.com/faas-grip/faas-grip-go/tools/template"
)

type options struct {
	scenarios       map[string]bool
	dir             string
	verbose         bool
	timeout         time.Duration
	pushpinRate     int
	pushpinHWM      int
	maxOpen         int
	binaries        map[string]string // built once, for every stack
	longpollTimeout time.Duration
	chatFor         time.Duration
	chat            loadtest.ChatConfig
	stream          loadtest.StreamConfig
	poll            loadtest.LongpollConfig
}

func main() { os.Exit(run()) }

func run() int {
	var o options
	scenarios := flag.String("scenarios", "chat,stream,longpoll,scaleout,reconnect", "scenarios to run, comma-separated")
	flag.StringVar(&o.dir, "dir", ".", "project directory, with template.yaml and the Makefile")
	flag.BoolVar(&o.verbose, "v", false, "show the stack's log (functions, gateway, Pushpin) as it runs")
	flag.DurationVar(&o.timeout, "timeout", 10*time.Minute, "give up on the whole run after this long")
	flag.IntVar(&o.pushpinRate, "pushpin-message-rate", -1, "Pushpin's message_rate, messages/s to all clients together; 0: the packaged 2500, -1: no limit")
	flag.IntVar(&o.pushpinHWM, "pushpin-message-hwm", 1000000, "Pushpin's message_hwm, messages waiting for the rate limit before it drops more; 0: the packaged 25000")
	flag.IntVar(&o.maxOpen, "pushpin-max-open-requests", 50, "Pushpin's max_open_requests for the HTTP scenarios (the chat adds its clients: Pushpin counts WebSockets too); 0: packaged (no limit)")
	flag.DurationVar(&o.longpollTimeout, "longpoll-timeout", 10*time.Second, "how long Pushpin holds a long-poll (the function's LONGPOLL_TIMEOUT)")
	flag.IntVar(&o.chat.Clients, "chat-clients", 200, "WebSocket chat clients")
	flag.IntVar(&o.chat.Senders, "chat-senders", 4, "chat clients that also send")
	flag.DurationVar(&o.chatFor, "chat-for", 10*time.Second, "how long the chat senders send")
	flag.Float64Var(&o.chat.Rate, "chat-rate", 0, "chat messages per second, all senders together; 0: half the knee, found first (the rate where chat p50 leaves its floor on this machine)")
	flag.IntVar(&o.stream.Clients, "stream-clients", 500, "HTTP stream clients (half of them SSE)")
	flag.IntVar(&o.stream.Items, "stream-items", 200, "items published to the streams")
	flag.IntVar(&o.stream.Batch, "stream-batch", 10, "stream items per publish")
	flag.Float64Var(&o.stream.Rate, "stream-rate", 100, "stream items per second (0: as fast as possible)")
	flag.IntVar(&o.poll.Clients, "longpoll-clients", 300, "long-poll clients (each release makes every one poll again: on the local stack they queue at the one long-poll function process)")
	flag.IntVar(&o.poll.Items, "longpoll-items", 30, "items published to the long-polls, one per publish")
	flag.Float64Var(&o.poll.Rate, "longpoll-rate", 3, "long-poll items per second")
	flag.Parse()
	o.scenarios = map[string]bool{}
	for _, s := range strings.Split(*scenarios, ",") {
		switch s = strings.TrimSpace(s); s {
		case "chat", "stream", "longpoll", "scaleout", "reconnect":
			o.scenarios[s] = true
		case "":
		default:
			fmt.Fprintf(os.Stderr, "loadtest: unknown scenario %q (have chat, stream, longpoll, scaleout, reconnect)\n", s)
			return 2
		}
	}
	if len(o.scenarios) == 0 {
		fmt.Fprintln(os.Stderr, "loadtest: no scenario to run")
		return 2
	}
	o.poll.Idle = o.longpollTimeout + 10*time.Second

	if _, err := exec.LookPath("pushpin"); err != nil {
		fmt.Fprintln(os.Stderr, "loadtest: pushpin is not installed: apt-get install pushpin (or brew install pushpin)")
		return 1
	}
	if n, err := loadtest.RaiseFileLimit(); err != nil {
		fmt.Fprintln(os.Stderr, "loadtest: raising the open-file limit:", err)
	} else if n > 0 {
		fmt.Fprintf(os.Stderr, "loadtest: open-file limit %d\n", n)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()

	began := time.Now()
	bins, err := buildOnce(ctx, o.dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		return 1
	}
	o.binaries = bins.paths
	defer os.RemoveAll(bins.dir)
	results, err := runAll(ctx, &o)
	wall := time.Since(began)
	fmt.Println()
	loadtest.PrintTable(os.Stdout, results)
	fmt.Println()
	for _, r := range results {
		for _, n := range r.Notes {
			fmt.Printf("%s: %s\n", r.Scenario, n)
		}
	}
	fmt.Printf("\nwall time %v (Pushpin message_rate %s, message_hwm %d, max_open_requests %d for HTTP)\n",
		wall.Round(100*time.Millisecond), rateString(o.pushpinRate), o.pushpinHWM, o.maxOpen)

	failed := err != nil
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
	}
	for _, r := range results {
		if rerr := r.Err(); rerr != nil {
			fmt.Fprintln(os.Stderr, "loadtest: FAILED:", rerr)
			failed = true
		}
	}
	if failed {
		return 1
	}
	fmt.Println("every client received every message exactly once, in order")
	return 0
}

func rateString(rate int) string {
	if rate < 0 {
		return "unlimited"
	}
	if rate == 0 {
		return "packaged"
	}
	return fmt.Sprint(rate)
}

// runAll runs each scenario on a stack of its own (a fresh Pushpin, fresh
// function processes): on one Pushpin instance, then (scaleout) on two.
func runAll(ctx context.Context, o *options) ([]*loadtest.Result, error) {
	tmpl, err := template.Load(filepath.Join(o.dir, "template.yaml"))
	if err != nil {
		return nil, err
	}
	var results []*loadtest.Result
	type scenario struct {
		name string
		run  func(t *loadtest.Target) *loadtest.Result
		// maxOpen is Pushpin's max_open_requests for it: it counts the
		// chat's WebSocket connections too.
		maxOpen int
	}
	withName := func(prefix string) []scenario {
		stream, poll := o.stream, o.poll
		stream.Scenario, poll.Scenario = prefix+"stream", prefix+"longpoll"
		chatOpen := 0
		if o.maxOpen > 0 {
			chatOpen = o.maxOpen + o.chat.Clients
		}
		return []scenario{
			{"chat", func(t *loadtest.Target) *loadtest.Result { return runChat(ctx, t, o, prefix+"chat") }, chatOpen},
			{"stream", func(t *loadtest.Target) *loadtest.Result { return loadtest.Stream(ctx, t, stream) }, o.maxOpen},
			{"longpoll", func(t *loadtest.Target) *loadtest.Result { return loadtest.Longpoll(ctx, t, poll) }, o.maxOpen},
		}
	}
	// reconnecting: clients cut while messages go out, each resuming by
	// itself with its last id, as the page and EventSource do.
	reconnecting := func() []scenario {
		chat, stream, poll := o.chat, o.stream, o.poll
		chat.Scenario, chat.Clients, chat.Drop = "reconnect chat", min(chat.Clients, 50), 100*time.Millisecond
		stream.Scenario, stream.Clients, stream.Drop = "reconnect stream", min(stream.Clients, 100), 50*time.Millisecond
		poll.Scenario, poll.Clients, poll.Drop = "reconnect longpoll", min(poll.Clients, 100), 50*time.Millisecond
		return []scenario{
			{"chat", func(t *loadtest.Target) *loadtest.Result {
				if o.chat.Rate <= 0 {
					chat.Rate = 20 // below the knee of the slowest machine measured
				} else {
					chat.Rate = o.chat.Rate
				}
				chat.Messages = max(int(chat.Rate*o.chatFor.Seconds()), chat.Senders)
				return loadtest.Chat(ctx, t, chat)
			}, 0},
			{"stream", func(t *loadtest.Target) *loadtest.Result { return loadtest.Stream(ctx, t, stream) }, o.maxOpen},
			{"longpoll", func(t *loadtest.Target) *loadtest.Result { return loadtest.Longpoll(ctx, t, poll) }, o.maxOpen},
		}
	}
	for _, group := range []struct {
		pushpins  int
		only      string // the -scenarios name that runs the group; "": each its own
		scenarios []scenario
	}{
		{1, "", withName("")},
		{2, "scaleout", withName("scale-out ")},
		{1, "reconnect", reconnecting()},
	} {
		for _, sc := range group.scenarios {
			if group.only == "" && !o.scenarios[sc.name] || group.only != "" && !o.scenarios[group.only] {
				continue
			}
			if fn := loadtest.Missing(tmpl, sc.name); fn != "" {
				fmt.Printf("%s: skipped: %s is not in template.yaml\n", sc.name, fn)
				continue
			}
			err := withStack(ctx, o, group.pushpins, sc.maxOpen, func(t *loadtest.Target, warnings func() string) bool {
				r := sc.run(t)
				if w := warnings(); w != "" {
					r.Notes = append(r.Notes, w)
				}
				results = append(results, r)
				return r.Err() == nil
			})
			if err != nil {
				return results, err
			}
		}
	}
	return results, nil
}

// kneeRates are the chat rates the knee search tries, messages per second.
var kneeRates = []float64{5, 10, 20, 40, 80, 160, 320, 640}

// runChat runs the chat scenario at o.chat.Rate; at rate 0 it finds the
// knee first and keeps half of it for this and every later chat scenario.
func runChat(ctx context.Context, t *loadtest.Target, o *options, scenario string) *loadtest.Result {
	var knee string
	if o.chat.Rate <= 0 {
		k := loadtest.ChatKnee(ctx, t, o.chat, kneeRates)
		o.chat.Rate = k.SafeRate()
		knee = "chat " + k.String() + fmt.Sprintf("; the chat scenarios run at %g/s", o.chat.Rate)
	}
	chat := o.chat
	chat.Scenario = scenario
	chat.Messages = max(int(chat.Rate*o.chatFor.Seconds()), chat.Senders)
	r := loadtest.Chat(ctx, t, chat)
	if knee != "" {
		r.Notes = append([]string{knee}, r.Notes...)
	}
	return r
}

// withStack starts a stack with the given number of Pushpin instances,
// runs f against it and stops it, printing the end of its log if f
// reports a failure.
func withStack(ctx context.Context, o *options, pushpins, maxOpen int, f func(t *loadtest.Target, warnings func() string) (ok bool)) error {
	history, err := os.MkdirTemp("", "loadtest-history-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(history)

	logs := &tail{max: 64 << 10}
	warnings := &warnings{}
	var out io.Writer = io.MultiWriter(logs, warnings)
	if o.verbose {
		out = io.MultiWriter(logs, warnings, devstack.NewSyncWriter(os.Stderr))
	}
	out = devstack.NewSyncWriter(out)
	counter := loadtest.NewRequestCounter(slog.NewTextHandler(out, &slog.HandlerOptions{Level: slog.LevelWarn}))

	progress := func(format string, args ...any) {
		fmt.Fprintf(os.Stderr, "%s loadtest: %s\n", time.Now().Format("15:04:05.000"), fmt.Sprintf(format, args...))
	}
	progress("starting a stack with %d Pushpin instance(s)", pushpins)
	start := time.Now()
	s, err := devstack.Start(ctx, devstack.Options{
		Dir: o.dir,
		Env: map[string]string{
			"HISTORY_DIR":      history,
			"LONGPOLL_TIMEOUT": o.longpollTimeout.String(),
			// Each sender sends far faster than a person: lift the chat's
			// per-connection rate limit out of the way.
			"CHAT_RATE":  "100000",
			"CHAT_BURST": "100000",
		},
		Binaries:               o.binaries,
		Pushpins:               pushpins,
		PushpinMessageRate:     o.pushpinRate,
		PushpinMessageHWM:      o.pushpinHWM,
		PushpinMaxOpenRequests: maxOpen,
		FunctionOutput:         out,
		PushpinOutput:          out,
		Logger:                 slog.New(counter),
	})
	if err != nil {
		return fmt.Errorf("starting the stack: %w", err)
	}
	progress("stack up in %v: Pushpin %s, API %s", time.Since(start).Round(time.Millisecond), strings.Join(s.ProxyURLs(), " and "), s.APIURL())

	t := loadtest.StackTarget(s, counter)
	t.Progress = progress
	ok := f(t, warnings.note)
	cerr := s.Close()
	if !ok || ctx.Err() != nil {
		fmt.Fprintf(os.Stderr, "--- the stack's log (end) ---\n%s\n--- end of the stack's log ---\n", logs.String())
	}
	return errors.Join(ctx.Err(), cerr)
}

// build is the functions built once for every stack of the run.
type build struct {
	dir   string
	paths map[string]string
}

// buildOnce builds every function of the project's template for this
// machine into a temp dir.
func buildOnce(ctx context.Context, dir string) (*build, error) {
	tmpl, err := template.Load(filepath.Join(dir, "template.yaml"))
	if err != nil {
		return nil, err
	}
	fns := make([]*template.Function, len(tmpl.Functions))
	for i := range tmpl.Functions {
		fns[i] = &tmpl.Functions[i]
	}
	b := &build{}
	if b.dir, err = os.MkdirTemp("", "loadtest-build-"); err != nil {
		return nil, err
	}
	start := time.Now()
	if b.paths, err = devstack.BuildFunctions(ctx, dir, fns, b.dir, slog.New(slog.DiscardHandler)); err != nil {
		os.RemoveAll(b.dir)
		return nil, fmt.Errorf("building the functions: %w", err)
	}
	fmt.Fprintf(os.Stderr, "loadtest: %d functions built in %v\n", len(b.paths), time.Since(start).Round(time.Millisecond))
	return b, nil
}

// warnings counts the warning and error lines of the stack's log
// (Pushpin's, the functions', the gateway's) and keeps the first few.
type warnings struct {
	mu      sync.Mutex
	n       int
	samples []string
}

var warningMarks = []string{"[WARN]", "[ERR]", `"level":"WARN"`, `"level":"ERROR"`, "level=WARN", "level=ERROR"}

func (w *warnings) Write(p []byte) (int, error) {
	for _, line := range strings.Split(string(p), "\n") {
		for _, mark := range warningMarks {
			if strings.Contains(line, mark) {
				w.mu.Lock()
				w.n++
				if len(w.samples) < 3 {
					w.samples = append(w.samples, strings.TrimSpace(line))
				}
				w.mu.Unlock()
				break
			}
		}
	}
	return len(p), nil
}

// note describes the warnings, or is empty when there were none.
func (w *warnings) note() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.n == 0 {
		return ""
	}
	return fmt.Sprintf("the stack logged %d warnings or errors, e.g. %.300q", w.n, w.samples)
}

// tail keeps the last max bytes written to it.
type tail struct {
	mu  sync.Mutex
	max int
	buf []byte
}

func (t *tail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if len(t.buf) > 2*t.max {
		t.buf = append(t.buf[:0], t.buf[len(t.buf)-t.max:]...)
	}
	return len(p), nil
}

func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	b := t.buf
	if len(b) > t.max {
		b = b[len(b)-t.max:]
	}
	return string(b)
}
