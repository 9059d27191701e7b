package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/faas-grip/faas-grip-go/internal/edge"
	"github.com/faas-grip/faas-grip-go/internal/emf"
	"github.com/faas-grip/faas-grip-go/internal/grip"
	"github.com/faas-grip/faas-grip-go/tools/emftest"
	"github.com/faas-grip/faas-grip-go/tools/eventtest"
)

// withMetrics has h write its metrics to a buffer, as the edge's writer
// writes them to stdout.
func withMetrics(h *Handler) *bytes.Buffer {
	var out bytes.Buffer
	h.Metrics = emf.NewWriter(&out, "faas-grip", emf.Dimension{Name: "FunctionName", Value: "publish"})
	return &out
}

// callSizes is the items of each publish call, as ItemsPerPublish writes them.
func callSizes(calls [][]grip.Item) string {
	var n []string
	for _, c := range calls {
		n = append(n, fmt.Sprint(len(c)))
	}
	return "[" + strings.Join(n, " ") + "]"
}

// Each invocation that publishes writes one line: the messages done and
// the items of each publish request it sent.
func TestMetricsPerInvocation(t *testing.T) {
	for _, tc := range []struct {
		event     string
		published int
		fail      bool
	}{
		{"publish-direct.json", 1, false},
		{"publish-formats.json", 1, false},
		{"publish-sqs.json", 3, false},
		{"publish-sqs-partial.json", 1, false}, // the two invalid records are not publishes
		{"publish-sqs.json", 0, true},          // the proxy failed: none done, the requests still count
	} {
		t.Run(fmt.Sprintf("%s fail=%v", tc.event, tc.fail), func(t *testing.T) {
			h, pub := newHandler(t)
			if tc.fail {
				pub.Err = errors.New("proxy down")
			}
			out := withMetrics(h)
			_, _ = h.Handle(t.Context(), eventtest.Load(t, tc.event))
			want := fmt.Sprintf("FunctionName=publish ItemsPerPublish=%s MessagesPublished=%d", callSizes(pub.Calls), tc.published)
			if got := emftest.Summaries(t, out.Bytes()); len(pub.Calls) == 0 || !slices.Equal(got, []string{want}) {
				t.Errorf("lines %q, want [%q]", got, want)
			}
		})
	}
}

// An invocation with nothing valid to publish writes no metric line.
func TestNoMetricLineWithoutPublish(t *testing.T) {
	for name, invoke := range map[string]func(*Handler){
		"no messages":     func(h *Handler) { _, _ = h.Handle(t.Context(), json.RawMessage(`{"messages":[]}`)) },
		"an invalid one":  func(h *Handler) { _, _ = h.Handle(t.Context(), json.RawMessage(`{"channel":"c"}`)) },
		"invalid records": func(h *Handler) { h.HandleSQS(t.Context(), sqsEvent("bad", `{"channel":"c"}`)) },
		"an empty batch":  func(h *Handler) { h.HandleSQS(t.Context(), sqsEvent()) },
	} {
		h, _ := newHandler(t)
		out := withMetrics(h)
		invoke(h)
		if out.Len() != 0 {
			t.Errorf("%s: metric lines %q", name, out.String())
		}
	}
}

// A message an endpoint refused counts in DeliveriesFailed: in the
// invocation's line, and in a line of its own under the endpoint's ID,
// never its URL or credentials. The request the endpoint refused and the
// one-by-one retries each count in ItemsPerPublish.
func TestDeliveriesFailedByEndpoint(t *testing.T) {
	const secret = "publish-key-not-for-logs"
	a, b := newEndpoint(t), newEndpoint(t)
	b.refuse = func(body string) bool { return strings.Contains(body, "poison") }
	h := twoEndpointHandler(t, a, b)
	withKey := strings.Replace(b.URL, "http://", "http://user:"+secret+"@", 1)
	cfg, err := grip.ParseConfig(a.URL+"?key="+secret+","+withKey, "")
	if err != nil {
		t.Fatal(err)
	}
	pub := grip.NewPublisher(cfg)
	h.Publisher = pub
	out := withMetrics(h)

	handleSQS(t, h,
		"m1", `{"channel":"c","text":"fine"}`,
		"m2", `{"channel":"c","text":"poison"}`,
		"m3", `{"channel":"c","text":"also fine"}`)
	bID := pub.EndpointIDs()[1]
	want := []string{
		"FunctionName=publish DeliveriesFailed=1 ItemsPerPublish=[6 2 2 2] MessagesPublished=2",
		"FunctionName=publish Endpoint=" + bID + " DeliveriesFailed=1",
	}
	if got := emftest.Summaries(t, out.Bytes()); !slices.Equal(got, want) {
		t.Errorf("lines %q, want %q", got, want)
	}
	for _, leak := range []string{secret, "user", "127.0.0.1", "http"} {
		if strings.Contains(out.String(), leak) {
			t.Errorf("a metric line carries %q: %s", leak, out.String())
		}
	}
}

// More publish requests than a line may carry values for go on in more
// lines: every request counts once.
func TestItemsPerPublishOverMoreLines(t *testing.T) {
	h, pub := newHandler(t)
	pub.Err = &grip.ItemError{Err: errors.New("refused")} // the batch, then each message alone
	out := withMetrics(h)
	var bodies []json.RawMessage
	for range emf.MaxValues + 1 {
		bodies = append(bodies, json.RawMessage(`{"channel":"c","formats":{"ws-message":{"content":"x"}}}`))
	}
	_, _ = h.HandleDirect(t.Context(), bodies)
	got := emftest.Summaries(t, out.Bytes())
	if len(pub.Calls) != emf.MaxValues+2 || len(got) != 2 {
		t.Fatalf("%d calls, lines %q: want %d calls in 2 lines", len(pub.Calls), got, emf.MaxValues+2)
	}
	first := "[" + fmt.Sprint(emf.MaxValues+1) + strings.Repeat(" 1", emf.MaxValues-1) + "]"
	if want := "FunctionName=publish ItemsPerPublish=" + first + " MessagesPublished=0"; got[0] != want {
		t.Errorf("first line %q, want %q", got[0], want)
	}
	if want := "FunctionName=publish ItemsPerPublish=[1 1]"; got[1] != want {
		t.Errorf("second line %q, want %q", got[1], want)
	}
}

// The handler writes with the edge's writer.
func TestConfigureTakesTheEdgesWriter(t *testing.T) {
	w := emf.NewWriter(io.Discard, "faas-grip")
	h, err := configure(t.Context(), edge.ColdStart{Getenv: func(string) string { return "" }, Metrics: w})
	if err != nil || h.Metrics != w {
		t.Errorf("configure: Metrics %p, err %v; want the edge's %p", h.Metrics, err, w)
	}
}
