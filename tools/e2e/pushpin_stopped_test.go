package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/coder/websocket"

	"github.com/faas-grip/faas-grip-go/tools/devstack"
)

// chatError is what the chat answers a sender whose message it could not publish.
var chatError = chatNotice("not-delivered", "your message could not be delivered, please send it again")

// With a Pushpin instance stopped, then both, the publish function reports
// every SQS record as a batch item failure, within its deadline, and the
// chat function answers the sender with its error instead of crashing.
// Started again, the same function processes publish as before.
func TestPushpinStopped(t *testing.T) {
	needs(t, "ChatFunction", "PublishFunction")
	stack(t) // skips when Pushpin is missing
	ctx := testContext(t, 2*time.Minute)

	logs := newLogBuffer()
	s, err := devstack.Start(ctx, devstack.Options{
		Dir:            root,
		Env:            map[string]string{"HISTORY_DIR": t.TempDir()},
		Pushpins:       2,
		FunctionOutput: logs,
		PushpinOutput:  logs,
		Logger:         slog.New(slog.NewTextHandler(logs, nil)),
	})
	if err != nil {
		t.Fatalf("starting a stack with two Pushpin instances: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("stopping the stack: %v", err)
		}
		if t.Failed() {
			t.Logf("--- the stack's log (last 32 KiB) ---\n%s", logs.tail(32<<10))
		}
	})
	publishFn, ok := s.Template.Function("PublishFunction")
	if !ok {
		t.Fatal("no PublishFunction in template.yaml")
	}
	urls := s.ProxyURLs()
	sigKey := s.Pushpin().SigKey()
	channel := uniqueChannel("stopped")

	// sqsFailures feeds the publish function an SQS event and returns the
	// ids it reported as failed, checking it answered within its deadline.
	// Records get ids of their own per event, as SQS gives them (the
	// publish function takes a record's id as its idempotency key).
	batch := 0
	sqsFailures := func(t *testing.T, bodies ...string) []string {
		t.Helper()
		event := sqsEvent(bodies...)
		batch++
		for i := range event.Records {
			event.Records[i].MessageId = fmt.Sprintf("%s-%d-msg-%c", channel, batch, 'a'+i)
		}
		payload, _ := json.Marshal(event)
		start := time.Now()
		out, err := s.Invoke(ctx, "PublishFunction", payload)
		took := time.Since(start)
		if err != nil {
			t.Fatalf("PublishFunction failed instead of reporting failures: %v", err)
		}
		if took >= publishFn.Timeout {
			t.Errorf("PublishFunction took %v, past its %v timeout", took, publishFn.Timeout)
		}
		t.Logf("PublishFunction answered in %v: %s", took.Round(time.Millisecond), out)
		var resp events.SQSEventResponse
		if err := json.Unmarshal(out, &resp); err != nil {
			t.Fatalf("response %s: %v", out, err)
		}
		var ids []string
		for _, f := range resp.BatchItemFailures {
			ids = append(ids, strings.TrimPrefix(f.ItemIdentifier, fmt.Sprintf("%s-%d-", channel, batch)))
		}
		slices.Sort(ids)
		return ids
	}
	valid := func(text string) string { return `{"channel":"` + channel + `","text":"` + text + `"}` }
	invalid := `{"channel":"` + channel + `"}` // no text
	all := []string{"msg-a", "msg-b", "msg-c", "msg-d"}

	t.Run("one of two stopped", func(t *testing.T) {
		a := dialChatAt(t, ctx, urls[0], s.Pushpins()[0].ControlURL())
		if err := s.StopPushpin(1); err != nil {
			t.Fatal(err)
		}

		// Three valid records and a bad one: the valid ones reached the
		// running instance, but not every endpoint, so all four go back
		// to SQS (recorded as delivered there: a redelivery goes only to
		// the stopped one, see TestRedeliveryReachesOnlyTheEndpointThatMissedIt).
		if got := sqsFailures(t, valid("one"), invalid, valid("two"), valid("three")); !slices.Equal(got, all) {
			t.Errorf("batchItemFailures %v, want %v", got, all)
		}

		// The chat delivers through the running instance. Its clients have
		// the message, so the sender is not asked to send it again (they
		// would see it twice): only the message arrives.
		start := time.Now()
		a.send(ctx, "hello with one Pushpin down")
		a.expectAllNoError(t, chatMessage("anonymous", "hello with one Pushpin down"))
		// The answer to the sender's request (where a notice would be)
		// follows the broadcast: give it time to arrive.
		select {
		case m := <-a.msgs:
			t.Errorf("after the message, unexpected %q", m)
		case <-time.After(1500 * time.Millisecond):
		}
		t.Logf("the chat answered within %v", time.Since(start).Round(time.Millisecond))
	})

	t.Run("both stopped", func(t *testing.T) {
		if err := s.StopPushpin(0); err != nil {
			t.Fatal(err)
		}
		if got := sqsFailures(t, valid("four"), valid("five"), invalid, valid("six")); !slices.Equal(got, all) {
			t.Errorf("batchItemFailures %v, want %v", got, all)
		}

		// No proxy to connect through: the request Pushpin would make,
		// signed with its key, straight to the API. The message is kept in
		// the chat's history under its id, so the sender is not asked to
		// send it again (that would number it twice): it gets its own
		// message back and is told the others get it when they reconnect.
		exp := time.Now().Add(time.Hour).Unix()
		sig := hs256(sigKey, `{"iss":"pushpin","exp":`+itoa(exp)+`}`)
		for _, body := range []string{"TEXT 5\r\nhello\r\n", "TEXT 5\r\nagain\r\n"} {
			start := time.Now()
			status, answer := postWoH(t, ctx, s.APIURL()+"/chat", sig, body)
			if status != http.StatusOK || !strings.Contains(answer, noticePrefix("delayed")) || strings.Contains(answer, chatError) {
				t.Errorf("chat answered %d %q, want 200 with a delayed notice", status, answer)
			}
			if took := time.Since(start); took > 5*time.Second {
				t.Errorf("the chat took %v to answer", took)
			}
		}
	})

	t.Run("started again", func(t *testing.T) {
		for i := range urls {
			if err := s.StartPushpin(ctx, i); err != nil {
				t.Fatal(err)
			}
		}
		a := dialChatAt(t, ctx, urls[0], s.Pushpins()[0].ControlURL())
		b := dialChatAt(t, ctx, urls[1], s.Pushpins()[1].ControlURL())

		// A message, then a command whose answer comes in a later response:
		// no error may come before it.
		a.send(ctx, "back")
		a.send(ctx, "/nick restored")
		a.expectAllNoError(t, chatMessage("anonymous", "back"), chatNotice("nick-changed", "you are now known as restored"))
		b.expectAll(t, chatMessage("anonymous", "back"))

		if got := sqsFailures(t, valid("seven"), `{"channel":"chat","text":"system: restored"}`); len(got) != 0 {
			t.Errorf("batchItemFailures %v after the restart, want none", got)
		}
		a.expectAll(t, publishedMessage("system: restored"))
		b.expectAll(t, publishedMessage("system: restored"))
	})

	// The same function processes served all along: none crashed or timed out.
	for _, bad := range []string{"function process exited", "function timed out", "panic"} {
		if strings.Contains(logs.tail(1<<30), bad) {
			t.Errorf("the stack's log says %q", bad)
		}
	}
}

// wsChat is a chat client connected through a given Pushpin instance.
type wsChat struct {
	conn *websocket.Conn
	msgs chan string
}

func dialChatAt(t *testing.T, ctx context.Context, proxyURL, controlURL string) *wsChat {
	t.Helper()
	url := "ws" + strings.TrimPrefix(proxyURL, "http") + "/chat"
	conn, _, err := websocket.Dial(ctx, url, nil)
	if err != nil {
		t.Fatalf("dial %s: %v", url, err)
	}
	c := &wsChat{conn: conn, msgs: make(chan string, 64)}
	go func() {
		defer close(c.msgs)
		for {
			_, data, err := conn.Read(context.Background())
			if err != nil {
				return
			}
			c.msgs <- string(data)
		}
	}()
	t.Cleanup(func() { _ = conn.CloseNow() })
	c.expectAll(t, chatNotice("welcome", "welcome! you are anonymous; type /nick <name> to change it"))
	waitSubscribed(t, ctx, controlURL, c.msgs)
	return c
}

func (c *wsChat) send(ctx context.Context, text string) {
	_ = c.conn.Write(ctx, websocket.MessageText, []byte(text))
}

// expectAll waits up to 10s until every one of want has arrived, in any
// order, skipping other messages.
func (c *wsChat) expectAll(t *testing.T, want ...string) { t.Helper(); c.expect(t, false, want) }

// expectAllNoError is expectAll, failing at any not-delivered notice before the last.
func (c *wsChat) expectAllNoError(t *testing.T, want ...string) { t.Helper(); c.expect(t, true, want) }

func (c *wsChat) expect(t *testing.T, noError bool, want []string) {
	t.Helper()
	missing := slices.Clone(want)
	var got []string
	timeout := time.After(10 * time.Second)
	for len(missing) > 0 {
		select {
		case m, ok := <-c.msgs:
			if !ok {
				t.Fatalf("the connection ended; still missing %q (got %q)", missing, got)
			}
			got = append(got, m)
			if noError && strings.HasPrefix(m, noticePrefix("not-delivered")) {
				t.Errorf("unexpected %q", m)
			}
			if i := slices.Index(missing, withoutIDs(m)); i >= 0 {
				missing = slices.Delete(missing, i, i+1)
			}
		case <-timeout:
			t.Fatalf("still missing %q after 10s (got %q)", missing, got)
		}
	}
}

// postWoH sends a WebSocket-over-HTTP request as Pushpin would.
func postWoH(t *testing.T, ctx context.Context, url, sig, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/websocket-events")
	req.Header.Set("Accept", "application/websocket-events")
	req.Header.Set("Connection-Id", "stopped-pushpin-test")
	req.Header.Set("Grip-Sig", sig)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", url, err)
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(answer)
}
