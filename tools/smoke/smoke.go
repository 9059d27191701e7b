package smoke

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Queues is what the checks do with SQS: send to the publish queue, and
// count what a queue holds. SQS implements it.
type Queues interface {
	SendMessage(ctx context.Context, queueURL, body string) error
	// Count is a queue's ApproximateNumberOfMessages (waiting) and
	// ApproximateNumberOfMessagesNotVisible (received, not yet deleted).
	Count(ctx context.Context, queueURL string) (waiting, inFlight int, err error)
}

// Config says which stack to check, and through which proxy.
type Config struct {
	// Outputs are the stack's (StackOutputs, ReadOutputsFile).
	Outputs Outputs
	// ProxyURL is the GRIP proxy clients connect to (Pushpin, Fastly
	// Fanout), e.g. https://realtime.example.com; not a stack output.
	ProxyURL string
	Queues   Queues
	// Wait bounds how long a message may take to arrive (default 20s: a
	// cold start of the publish function included).
	Wait time.Duration
	// Out gets one line per check.
	Out io.Writer
	// HTTPClient makes the requests; nil is a client of its own.
	HTTPClient *http.Client
}

// check is one line of the report.
type check struct {
	name  string
	needs []string // outputs; without them the check is skipped
	run   func(context.Context) (string, error)
}

// checker runs the checks of one run.
type checker struct {
	Config
	outputs    Outputs
	proxy      *url.URL
	proxyShown string // without credentials
	runID      string // in every channel name and message of this run
}

// Run runs every check, printing one line each, and reports whether none
// failed. ctx bounds the whole run.
func Run(ctx context.Context, cfg Config) (bool, error) {
	proxy, err := url.Parse(strings.TrimSuffix(cfg.ProxyURL, "/"))
	if err != nil {
		return false, errors.New("PROXY_URL is not a URL: want the proxy's http:// or https:// URL") // url's error would show a password
	}
	if (proxy.Scheme != "http" && proxy.Scheme != "https") || proxy.Host == "" {
		return false, fmt.Errorf("PROXY_URL %q: want the proxy's http:// or https:// URL", proxy.Redacted())
	}
	if cfg.Wait <= 0 {
		cfg.Wait = 20 * time.Second
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
	}
	var id [4]byte
	_, _ = rand.Read(id[:])
	c := &checker{Config: cfg, outputs: cfg.Outputs, proxy: proxy, proxyShown: proxy.Redacted(), runID: hex.EncodeToString(id[:])}

	checks := []check{
		{"direct call refused", []string{"StreamUrl"}, c.directCall},
		{"chat through the proxy", []string{"ChatUrl"}, c.chat},
		{"publish queue to a stream and a long-poll", []string{"StreamUrl", "LongpollUrl", "PublishQueueUrl"}, c.publish},
		{"dead-letter queue empty", []string{"PublishDeadLetterQueueUrl"}, c.deadLetters},
	}
	passed := true
	for i, ch := range checks {
		start := time.Now()
		status, detail := "ok", ""
		if missing := c.missing(ch.needs); len(missing) > 0 {
			status, detail = "skip", "the stack has no output "+strings.Join(missing, ", ")+" (a sample deleted from the template?)"
		} else if detail, err = ch.run(ctx); err != nil {
			status, detail, passed = "FAIL", err.Error(), false
			var hop *HopError
			if !errors.As(err, &hop) && ctx.Err() != nil {
				detail += " (make smoke's own time ran out)"
			}
		}
		fmt.Fprintf(cfg.Out, "%-4s  %d/%d %s (%.1fs): %s\n", status, i+1, len(checks), ch.name, time.Since(start).Seconds(), detail)
	}
	return passed, nil
}

func (c *checker) missing(keys []string) []string {
	var out []string
	for _, k := range keys {
		if c.outputs[k] == "" {
			out = append(out, k)
		}
	}
	return out
}

// proxyURL is the proxy's URL for the route of an output key, with query.
func (c *checker) proxyURL(key string, query url.Values) (string, error) {
	path, err := c.outputs.clientPath(key)
	if err != nil {
		return "", err
	}
	u := *c.proxy
	u.Path = strings.TrimSuffix(u.Path, "/") + path
	u.RawQuery = query.Encode()
	return u.String(), nil
}

// shown is a proxy URL as printed: without credentials.
func shown(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	return u.Redacted()
}

// directCall calls the API at its own URL, as anyone on the internet can:
// without Grip-Sig it must answer 401, and with a forged Grip-Sig (signed
// with a key of this run's) 403. A function that serves either lets anyone
// forge the proxy's requests.
func (c *checker) directCall(ctx context.Context) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	forged, err := forgedGripSig()
	if err != nil {
		return "", err
	}
	u := c.outputs["StreamUrl"] + "?channel=smoke-direct-" + c.runID
	var answers []string
	for _, call := range []struct {
		sig  string
		what string
		want int
	}{
		{"", "without Grip-Sig", http.StatusUnauthorized},
		{forged, "with a forged Grip-Sig", http.StatusForbidden},
	} {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return "", hopErr(hopDirect, "StreamUrl %q: %v", c.outputs["StreamUrl"], err)
		}
		// The API's own name: the URL's, for a deployed stack; a local
		// stack in deployed mode serves it at a loopback address.
		if d := c.outputs["ApiDomain"]; d != "" {
			req.Host = d
		}
		if call.sig != "" {
			req.Header.Set("Grip-Sig", call.sig)
		}
		resp, err := c.HTTPClient.Do(req)
		if err != nil {
			return "", hopErr(hopDirect, "GET %s: %v: check the StreamUrl output and this machine's network", c.outputs["StreamUrl"], err)
		}
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
		resp.Body.Close()
		what := fmt.Sprintf("GET %s %s", c.outputs["StreamUrl"], call.what)
		switch b := strings.TrimSpace(string(body)); {
		case resp.StatusCode == call.want:
			answers = append(answers, fmt.Sprintf("%d %s", resp.StatusCode, call.what))
		case resp.StatusCode < 300:
			return "", hopErr(hopDirect, "Grip-Sig not required: %s was served (%d): anyone who can reach the API can forge the proxy's requests (Connection-Id, Meta-*); deploy with RequireGripSig=true and a GripVerifyUrl with the proxy's verify key (README: Troubleshooting)", what, resp.StatusCode)
		case resp.StatusCode == http.StatusForbidden && b == `{"message":"Forbidden"}`:
			return "", hopErr(hopDirect, "%s: API Gateway answered 403 Forbidden to Host %s: ApiDomain and StreamUrl are not the same API's", what, req.Host)
		case resp.StatusCode == http.StatusInternalServerError && strings.Contains(b, "misconfigured"):
			return "", hopErr(hopAPIFunction, "%s: 500 server misconfigured: RequireGripSig is true but GripVerifyUrl has no verify-key", what)
		default:
			return "", hopErr(hopDirect, "%s: %d %.200q, want %d", what, resp.StatusCode, b, call.want)
		}
	}
	return "GET " + c.outputs["StreamUrl"] + ": " + strings.Join(answers, ", ") + ": only the proxy gets through", nil
}

// forgedGripSig is a Grip-Sig as a proxy would send it, signed with a
// random key: a function that verifies Grip-Sig refuses it.
func forgedGripSig() (string, error) {
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	return jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
		"iss": "pushpin",
		"exp": time.Now().Add(time.Hour).Unix(),
	}).SignedString(key)
}

// deadLetters reads how many messages the dead-letter queue holds.
func (c *checker) deadLetters(ctx context.Context) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	dlq := c.outputs["PublishDeadLetterQueueUrl"]
	waiting, inFlight, err := c.Queues.Count(ctx, dlq)
	if err != nil {
		return "", hopErr(hopSendQueue, "reading the dead-letter queue %s: %v: check AWS credentials and AWS_REGION", dlq, err)
	}
	if n := waiting + inFlight; n > 0 {
		return "", hopErr(hopDeadLetters, "%d message(s) in the dead-letter queue %s: publishes failed five times each (README Operate: the 'publish failed' query; Troubleshooting); send them again once fixed", n, dlq)
	}
	return dlq + " holds no message", nil
}
