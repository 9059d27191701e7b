package e2e

import (
	"bufio"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

// A function's log lines carry the request id Lambda's Runtime API handed
// it (Lambda-Runtime-Aws-Request-Id) as "requestId", as in CloudWatch: a
// direct invoke of the publish function finds its report's id on the
// function's "published" line.
func TestLogLinesCarryTheInvocationsRequestID(t *testing.T) {
	needs(t, "PublishFunction")
	s := stack(t)
	ctx := testContext(t, 30*time.Second)

	payload, _ := json.Marshal(map[string]any{"messages": []map[string]string{text(uniqueChannel("logs"), "hello")}})
	_, rep, err := s.InvokeReport(ctx, "PublishFunction", payload)
	if err != nil {
		t.Fatal(err)
	}
	if rep.RequestID == "" {
		t.Fatal("the Runtime API reported no request id")
	}
	if line := findLogLine(t, "PublishFunction", func(l map[string]any) bool {
		return l["requestId"] == rep.RequestID && l["message"] == "published"
	}); line == nil {
		t.Fatalf("no PublishFunction line with requestId %s and message \"published\" in:\n%s", rep.RequestID, stackLogs.tail(4000))
	}
}

// An HTTP function's refusal (the edge's Grip-Sig check, on every route of
// template.yaml) carries both ids: Lambda's "requestId" and API Gateway's
// "request_id", which the gateway also answers in X-Amzn-Requestid. The edge
// also wrote its metrics: a ColdStart and a GripSigRefused by Reason
// "missing" (Embedded Metric Format lines, with the function's name).
func TestRefusalLinesCarryBothRequestIDs(t *testing.T) {
	s := stack(t)
	routes := templateRoutes(t)
	if len(routes) == 0 {
		t.Skip("template.yaml has no API route")
	}
	for _, r := range routes {
		if fn, public := publicRoutes[r.method+" "+r.path]; public && fn == r.function {
			continue
		}
		req, _ := http.NewRequestWithContext(testContext(t, 10*time.Second), r.method, s.APIURL()+r.path, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		gatewayID := resp.Header.Get("X-Amzn-Requestid")
		if resp.StatusCode != http.StatusUnauthorized || gatewayID == "" {
			t.Fatalf("%s %s without Grip-Sig: status %d, X-Amzn-Requestid %q; want 401 and an id", r.method, r.path, resp.StatusCode, gatewayID)
		}
		line := findLogLine(t, r.function, func(l map[string]any) bool {
			return l["request_id"] == gatewayID && l["message"] == "request refused"
		})
		if line == nil {
			t.Fatalf("%s %s: no %s \"request refused\" line with request_id %s in:\n%s", r.method, r.path, r.function, gatewayID, stackLogs.tail(4000))
		}
		if id, _ := line["requestId"].(string); id == "" || id == gatewayID {
			t.Errorf("%s %s: the refusal's requestId is %q: want Lambda's invocation id, not API Gateway's %s", r.method, r.path, id, gatewayID)
		}
		if line["reason"] == nil || line["level"] != "WARN" {
			t.Errorf("%s %s: refusal line %v: want level WARN and a reason", r.method, r.path, line)
		}
		for metric, match := range map[string]func(map[string]any) bool{
			"ColdStart":      func(l map[string]any) bool { return l["ColdStart"] == 1.0 },
			"GripSigRefused": func(l map[string]any) bool { return l["GripSigRefused"] == 1.0 && l["Reason"] == "missing" },
		} {
			if findLogLine(t, r.function, func(l map[string]any) bool {
				return match(l) && l["_aws"] != nil && l["FunctionName"] != nil
			}) == nil {
				t.Errorf("%s: no %s metric line in:\n%s", r.function, metric, stackLogs.tail(4000))
			}
		}
	}
}

// findLogLine is the first JSON line of function logicalID's output (lines
// prefixed "[LogicalId] " in the stack's log) that match accepts.
func findLogLine(t *testing.T, logicalID string, match func(map[string]any) bool) map[string]any {
	t.Helper()
	// The function's stdout reaches the stack's log through a pipe, after
	// the invocation has answered: give the line a moment to arrive.
	deadline := time.Now().Add(5 * time.Second)
	for {
		if l := scanLogLines(logicalID, match); l != nil || time.Now().After(deadline) {
			return l
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// scanLogLines returns the first JSON line of the function that matches.
func scanLogLines(logicalID string, match func(map[string]any) bool) map[string]any {
	prefix := "[" + logicalID + "] "
	sc := bufio.NewScanner(strings.NewReader(stackLogs.tail(1 << 30)))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), prefix)
		if !ok {
			continue
		}
		var l map[string]any
		if json.Unmarshal([]byte(rest), &l) == nil && match(l) {
			return l
		}
	}
	return nil
}
