package grip

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// Publisher sends items to every endpoint of a Config. It is safe for
// concurrent use; create one per process (in a Lambda, at cold start) so
// its connections and publish tokens are reused across invocations.
type Publisher struct {
	prefix      string
	targets     []*target
	client      *http.Client
	maxAttempts int
	backoffBase time.Duration
	backoffMax  time.Duration
	now         func() time.Time
}

// target is one endpoint, ready to publish to.
type target struct {
	id       string     // endpointID: stable, no secrets
	endpoint string     // control URI without credentials, for errors and logs
	url      string     // <control URI path>/publish/?<query>
	auth     authorizer // Authorization header
	err      error      // why this endpoint cannot be used, reported by Publish
}

// NewPublisher prepares publishing to cfg's endpoints. It does no I/O.
// An endpoint that cannot be used (a hand-built one with a bad ControlURI,
// say) makes every Publish return an error for it. Retries are not logged:
// a failure's error says how many attempts were made.
func NewPublisher(cfg Config) *Publisher { return newPublisher(cfg) }

// newPublisher is NewPublisher with settings changed before the endpoints
// are prepared (tests: a fake clock, short waits).
func newPublisher(cfg Config, configure ...func(*Publisher)) *Publisher {
	p := &Publisher{
		prefix:      cfg.Prefix,
		client:      newHTTPClient(),
		maxAttempts: defaultMaxAttempts,
		backoffBase: defaultBackoffBase,
		backoffMax:  defaultBackoffMax,
		now:         time.Now,
	}
	for _, set := range configure {
		set(p)
	}
	for i, ep := range cfg.Endpoints {
		p.targets = append(p.targets, newTarget(i, ep, p.now))
	}
	return p
}

func newTarget(index int, ep Endpoint, now func() time.Time) *target {
	u, err := url.Parse(ep.ControlURI)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		// Do not show a URI that did not parse: it may hold a secret.
		name := fmt.Sprintf("endpoint %d", index+1)
		return &target{id: endpointID(ep.ControlURI), endpoint: name, err: &urlError{problem: name + ": ControlURI is not an http or https URL: build endpoints with ParseConfig"}}
	}
	u.User = nil
	t := &target{id: endpointID(ep.ControlURI), endpoint: u.String()}
	t.url = u.Scheme + "://" + u.Host + strings.TrimSuffix(u.EscapedPath(), "/") + "/publish/"
	if u.RawQuery != "" {
		t.url += "?" + u.RawQuery
	}
	if t.auth, err = newAuthorizer(ep, now); err != nil {
		t.err = &PublishError{Endpoint: t.endpoint, EndpointID: t.id, Err: err}
	}
	return t
}

// Publish sends all items in one request to each endpoint, the endpoints
// in parallel, with GRIP_PREFIX added to every channel. It returns nil
// when every endpoint accepted them (any 2xx status).
//
// Items are checked before anything is sent: an invalid one gives an
// *ItemError and no request. Failed requests are retried with backoff on
// network errors, 429 and 5xx, up to the attempt limit and only while a
// retry can finish before ctx's deadline; other statuses are not retried.
// A retry after a network error may deliver an item twice: give items an
// ID when subscribers must not see duplicates.
//
// With one endpoint a failure is a *PublishError. With several it is a
// *DeliveryError naming the endpoints that accepted the items and those
// that did not: retry the latter only, with PublishExcept. Publishing no
// items sends nothing.
func (p *Publisher) Publish(ctx context.Context, items ...Item) error {
	return p.PublishExcept(ctx, nil, items...)
}

// PublishExcept is Publish to every endpoint whose ID (see EndpointIDs) is
// not in skip: the way to finish a publish that some endpoints already
// accepted without delivering it twice to their clients. IDs in skip
// that name no endpoint are ignored; when every endpoint is skipped it
// sends nothing and returns nil.
func (p *Publisher) PublishExcept(ctx context.Context, skip []string, items ...Item) error {
	if len(p.targets) == 0 {
		return errNoEndpoints
	}
	if len(items) == 0 {
		return nil
	}
	body, err := publishBody(p.prefix, items)
	if err != nil {
		return err
	}
	targets := p.targets
	if len(skip) > 0 {
		targets = make([]*target, 0, len(p.targets))
		for _, t := range p.targets {
			if !slices.Contains(skip, t.id) {
				targets = append(targets, t)
			}
		}
	}
	switch {
	case len(targets) == 0:
		return nil
	case len(p.targets) == 1:
		return p.publishTo(ctx, targets[0], body)
	}
	errs := make([]error, len(targets))
	var wg sync.WaitGroup
	for i, t := range targets {
		wg.Go(func() { errs[i] = p.publishTo(ctx, t, body) })
	}
	wg.Wait()
	return deliveryError(targets, errs)
}

// EndpointIDs returns the IDs of the endpoints, in GRIP_URL order.
func (p *Publisher) EndpointIDs() []string {
	ids := make([]string, len(p.targets))
	for i, t := range p.targets {
		ids[i] = t.id
	}
	return ids
}

// deliveryError sums up a publish to several endpoints: nil when all of
// them accepted it.
func deliveryError(targets []*target, errs []error) error {
	var de DeliveryError
	for i, err := range errs {
		if err == nil {
			de.Delivered = append(de.Delivered, targets[i].id)
			continue
		}
		var pe *PublishError
		if !errors.As(err, &pe) {
			// Only an unusable endpoint's *urlError gets here.
			pe = &PublishError{Endpoint: targets[i].endpoint, EndpointID: targets[i].id, Err: err}
		}
		de.Failed = append(de.Failed, pe)
	}
	if len(de.Failed) == 0 {
		return nil
	}
	return &de
}

// publishTo sends body to one endpoint, retrying as Publish describes.
func (p *Publisher) publishTo(ctx context.Context, t *target, body []byte) error {
	if t.err != nil {
		return t.err
	}
	if err := ctx.Err(); err != nil {
		return &PublishError{Endpoint: t.endpoint, EndpointID: t.id, Err: err}
	}
	for attempt := 1; ; attempt++ {
		auth, err := t.auth.authorization()
		if err != nil {
			return &PublishError{Endpoint: t.endpoint, EndpointID: t.id, Attempts: attempt - 1, Err: err}
		}
		started := time.Now()
		res := p.send(ctx, t, auth, body)
		if res.err == nil && res.status >= 200 && res.status < 300 {
			return nil
		}
		failed := &PublishError{Endpoint: t.endpoint, EndpointID: t.id, Status: res.status, Body: res.body, Attempts: attempt, Err: res.err}
		if !res.retryable || attempt >= p.maxAttempts {
			return failed
		}
		wait := p.backoff(attempt)
		if res.retryAfter > 0 {
			wait = res.retryAfter
		}
		if !fitsDeadline(ctx, wait, time.Since(started)) {
			return failed
		}
		if err := sleep(ctx, wait); err != nil {
			if failed.Err == nil {
				failed.Err = err
			}
			return failed
		}
	}
}

// result is the outcome of one request.
type result struct {
	status     int           // 0 when no response came back
	body       string        // excerpt of a non-2xx response body
	err        error         // transport or context error
	retryable  bool          // worth another attempt
	retryAfter time.Duration // the proxy's Retry-After, if any
}

// send makes one publish request with the given Authorization value.
func (p *Publisher) send(ctx context.Context, t *target, auth string, body []byte) result {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.url, bytes.NewReader(body))
	if err != nil {
		return result{err: err}
	}
	req.Header.Set("Content-Type", "application/json")
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := p.client.Do(req)
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return result{err: ctxErr}
		}
		// *url.Error repeats the URL, which PublishError already names.
		var urlErr *url.Error
		if errors.As(err, &urlErr) {
			err = urlErr.Err
		}
		return result{err: err, retryable: true}
	}
	defer resp.Body.Close()
	res := result{status: resp.StatusCode}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		res.body = readExcerpt(resp.Body)
		res.retryable = retryableStatus(resp.StatusCode)
		res.retryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
	}
	// Read what is left (bounded) so the connection can be reused.
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	return res
}

// readExcerpt reads the start of an error body as readable text.
func readExcerpt(r io.Reader) string {
	buf := make([]byte, maxErrorBody)
	n, _ := io.ReadFull(r, buf)
	b := buf[:n]
	// Drop a rune cut in half by the limit, then any other invalid bytes.
	if start := lastRuneStart(b); start >= 0 && !utf8.FullRune(b[start:]) {
		b = b[:start]
	}
	return strings.TrimSpace(strings.ToValidUTF8(string(b), "?"))
}

// lastRuneStart is the index of the last byte that starts a rune, or -1.
func lastRuneStart(b []byte) int {
	for i := len(b) - 1; i >= 0 && i >= len(b)-utf8.UTFMax; i-- {
		if utf8.RuneStart(b[i]) {
			return i
		}
	}
	return -1
}
