package runtimeapi

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestServerEndpoints(t *testing.T) {
	s, err := newServer("arn:test")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.close)
	base := "http://" + s.addr() + "/2018-06-01/runtime/"
	client := &http.Client{Timeout: 5 * time.Second}

	post := func(path, body string, header http.Header) *http.Response {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, base+path, strings.NewReader(body))
		for k, v := range header {
			req.Header[k] = v
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp
	}

	// An unknown request id is refused as Lambda refuses it.
	if resp := post("invocation/nope/response", "{}", nil); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("response for an unknown id: status %d, want 400", resp.StatusCode)
	}

	// /next hands out the invocation with Lambda's headers.
	inv := &invocation{id: "req-1", traceID: "Root=1-x", payload: []byte(`{"a":1}`),
		deadline: time.UnixMilli(1700000000123), result: make(chan result, 1)}
	go func() { s.next <- inv }()
	resp, err := client.Get(base + "invocation/next")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for k, want := range map[string]string{
		headerRequestID: "req-1", headerDeadline: "1700000000123", headerFunctionARN: "arn:test", headerTraceID: "Root=1-x",
	} {
		if got := resp.Header.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if string(body) != `{"a":1}` {
		t.Errorf("payload %s", body)
	}

	// An error posted with only the header type is wrapped into a Lambda error.
	if resp := post("invocation/req-1/error", "not json", http.Header{headerErrorType: {"Custom.Failure"}}); resp.StatusCode != http.StatusAccepted {
		t.Errorf("error: status %d, want 202", resp.StatusCode)
	}
	r := <-inv.result
	if r.err == nil || r.err.Type != "Custom.Failure" || r.err.Message != "not json" {
		t.Errorf("result %+v", r.err)
	}

	// An init error reaches the waiting Invoke.
	if resp := post("init/error", `{"errorMessage":"bad config","errorType":"InitFailed"}`, nil); resp.StatusCode != http.StatusAccepted {
		t.Errorf("init error: status %d, want 202", resp.StatusCode)
	}
	select {
	case e := <-s.initErr:
		if !errors.Is(e, ErrInit) || e.Message != "bad config" {
			t.Errorf("init error %v", e)
		}
	case <-time.After(time.Second):
		t.Error("no init error")
	}
}
