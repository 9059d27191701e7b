package smoke

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// maxSends bounds the messages one run sends to the publish queue: more
// than one only when a long-poll was not held yet when the first arrived.
const maxSends = 3

// publish holds a stream and a long-poll on a channel of this run through
// the proxy, sends a message for it to the publish queue, and waits for
// both to receive it.
func (c *checker) publish(ctx context.Context) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, c.Wait+30*time.Second)
	defer cancel()
	channel := "smoke-" + c.runID
	polls := make(chan pollResult, 1)
	pollURL, err := c.proxyURL("LongpollUrl", url.Values{"channel": {channel}})
	if err != nil {
		return "", err
	}
	go c.longPoll(ctx, pollURL, polls)
	st, err := c.openStream(ctx, channel)
	if err != nil {
		return "", err
	}
	defer st.close()
	// The long-poll went out first; by now the proxy most likely holds it
	// too. If not, the first message passes it by and another is sent.
	time.Sleep(300 * time.Millisecond)

	queue := c.outputs["PublishQueueUrl"]
	var sent []string
	send := func() error {
		text := fmt.Sprintf("smoke %s: through the publish queue (%d)", c.runID, len(sent)+1)
		body, _ := json.Marshal(map[string]string{"channel": channel, "text": text})
		if err := c.Queues.SendMessage(ctx, queue, string(body)); err != nil {
			return hopErr(hopSendQueue, "SendMessage to %s: %v: check AWS credentials, AWS_REGION and the PublishQueueUrl output", queue, err)
		}
		sent = append(sent, text)
		return nil
	}
	ours := func(text string) bool { return strings.HasPrefix(text, "smoke "+c.runID+": ") }
	start := time.Now()
	if err := send(); err != nil {
		return "", err
	}
	deadline := time.After(c.Wait)
	var resend <-chan time.Time
	var streamGot, pollGot time.Duration
	for streamGot == 0 || pollGot == 0 {
		select {
		case line, ok := <-st.lines:
			if !ok {
				if err := st.reopen(ctx); err != nil {
					return "", err
				}
				continue
			}
			if ours(line) && streamGot == 0 {
				streamGot = time.Since(start)
				if pollGot == 0 {
					resend = time.After(2 * time.Second)
				}
			}
		case r := <-polls:
			switch {
			case r.err != nil:
				return "", r.err
			case slicesContain(r.texts, ours):
				pollGot = time.Since(start)
			default: // released without our message (its timeout): poll again
				go c.longPoll(ctx, pollURL+"&last_id="+url.QueryEscape(r.lastID), polls)
			}
		case <-resend:
			resend = nil
			if len(sent) < maxSends {
				if err := send(); err != nil {
					return "", err
				}
				resend = time.After(2 * time.Second)
			}
		case <-deadline:
			if streamGot == 0 {
				return "", c.lostMessage(ctx, queue)
			}
			return "", hopErr(hopLongpoll, "the stream got the message but no long-poll was released with it within %s (%d sent): the long-poll function's hold (its log: 'request held') or the proxy", c.Wait, len(sent))
		case <-ctx.Done():
			return "", ctx.Err()
		}
	}
	return fmt.Sprintf("a message sent to %s reached a stream in %.1fs and a long-poll in %.1fs (channel %s)", queue, streamGot.Seconds(), pollGot.Seconds(), channel), nil
}

// lostMessage says where a message that reached no stream stopped, from
// what its queue still holds.
func (c *checker) lostMessage(ctx context.Context, queue string) error {
	waiting, inFlight, err := c.Queues.Count(ctx, queue)
	switch {
	case err != nil:
		return hopErr(hopQueueFunction, "the message reached no stream within %s, and the queue cannot be read (%v)", c.Wait, err)
	case waiting > 0 && inFlight == 0:
		return hopErr(hopQueueFunction, "the message is still in %s after %s (%d waiting): nothing reads that queue: is PublishQueueUrl this stack's PublishQueue, and its PublishFunction event source enabled?", queue, c.Wait, waiting)
	case inFlight > 0:
		return hopErr(hopPublish, "the publish function received the message but has not published it within %s (%d in flight): it fails to publish to the proxy (its log: 'publish failed'; GripUrl's control URL and key)", c.Wait, inFlight)
	}
	return hopErr(hopPublish, "the publish function took the message off %s, but it reached no stream through the proxy within %s: its GripUrl names another proxy than PROXY_URL (or GripPrefix differs), or the proxy dropped it (its log)", queue, c.Wait)
}

func slicesContain(texts []string, match func(string) bool) bool {
	for _, t := range texts {
		if match(t) {
			return true
		}
	}
	return false
}

// pollResult is a long-poll's answer: the messages' texts and last id, or
// what went wrong.
type pollResult struct {
	texts  []string
	lastID string
	err    error
}

// longPoll sends one long-poll through the proxy and reports its answer.
func (c *checker) longPoll(ctx context.Context, u string, out chan<- pollResult) {
	what := "long-poll GET " + shown(u)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		out <- pollResult{err: err}
		return
	}
	resp, err := c.HTTPClient.Do(req)
	if err != nil {
		if ctx.Err() == nil {
			out <- pollResult{err: c.unreachable(what, err)}
		}
		return
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != http.StatusOK {
		out <- pollResult{err: c.proxyAnswer(what, resp.StatusCode, resp.Header, body)}
		return
	}
	var p struct {
		Messages []struct{ Text string }
		LastID   string `json:"last_id"`
	}
	if err != nil || json.Unmarshal(body, &p) != nil {
		out <- pollResult{err: hopErr(hopAPIFunction, "%s: 200 but not the long-poll's JSON: %.200q", what, body)}
		return
	}
	r := pollResult{lastID: p.LastID}
	for _, m := range p.Messages {
		r.texts = append(r.texts, m.Text)
	}
	out <- r
}

// stream is an HTTP stream held by the proxy, read line by line.
type stream struct {
	c        *checker
	url      string
	body     io.Closer
	lines    chan string
	reopened bool
}

// openStream opens a stream through the proxy and reads its opening line.
func (c *checker) openStream(ctx context.Context, channel string) (*stream, error) {
	u, err := c.proxyURL("StreamUrl", url.Values{"channel": {channel}})
	if err != nil {
		return nil, err
	}
	st := &stream{c: c, url: u}
	return st, st.open(ctx)
}

func (st *stream) open(ctx context.Context) error {
	what := "stream GET " + shown(st.url)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, st.url, nil)
	if err != nil {
		return err
	}
	resp, err := st.c.HTTPClient.Do(req)
	if err != nil {
		return st.c.unreachable(what, err)
	}
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
		resp.Body.Close()
		return st.c.proxyAnswer(what, resp.StatusCode, resp.Header, body)
	}
	st.body = resp.Body
	st.lines = make(chan string, 64)
	lines := st.lines
	first := make(chan string, 1)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(resp.Body)
		opened := false
		for sc.Scan() {
			l := sc.Text()
			switch {
			case l == "" || strings.HasPrefix(l, ":"): // keep-alives
			case !opened:
				opened = true
				first <- l
			default:
				select {
				case lines <- l:
				default:
				}
			}
		}
		if !opened {
			first <- ""
		}
	}()
	select {
	case l := <-first:
		if !strings.HasPrefix(l, "streaming ") {
			return hopErr(hopAPIFunction, "%s: 200, but the opening line is %.120q, not the stream function's", what, l)
		}
		return nil
	case <-time.After(st.c.Wait):
		return hopErr(hopAPIFunction, "%s: no opening line within %s", what, st.c.Wait)
	}
}

// reopen opens the stream again once: Pushpin 1.36 now and then cancels a
// stream it has just accepted, as a client that reconnects would see.
func (st *stream) reopen(ctx context.Context) error {
	if st.reopened {
		return hopErr(hopClientProxy, "the proxy closed the stream %s twice", shown(st.url))
	}
	st.reopened = true
	st.close()
	return st.open(ctx)
}

func (st *stream) close() {
	if st.body != nil {
		st.body.Close()
	}
}
