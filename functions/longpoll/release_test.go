package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/faas-grip/faas-grip-go/internal/feed"
	"github.com/faas-grip/faas-grip-go/internal/grip"
	"github.com/faas-grip/faas-grip-go/internal/grip/apigw"
	"github.com/faas-grip/faas-grip-go/internal/history"
	"github.com/faas-grip/faas-grip-go/tools/devstack/devtest"
	"github.com/faas-grip/faas-grip-go/tools/devstack/pushpin"
)

// releaseCheckAfter is when the test sends the release check after its
// message, as the publish function does after its delay.
const releaseCheckAfter = 300 * time.Millisecond

// Pushpin compares a new hold's prev-id with the channel's last id and
// retries the request when the channel moved on, but it forgets that id on
// every conflict. Two polls read the head (id 1) before id 2 is published
// and are held after it: the first conflicts, is retried and answered, and
// clears the last id; the second is then held blind on id 1, and waits for
// the next message or its timeout. Under load, with hundreds of polls made
// again after every release, this is what stalled polls for seconds. The
// release check makes Pushpin retry the second poll: it is answered with
// id 2 well within a second.
func TestReleaseCheckReleasesAPollHeldOnAPassedID(t *testing.T) {
	devtest.RequirePushpin(t)
	for _, tc := range []struct {
		name  string
		check bool
	}{{"with the release check", true}, {"without it the poll stalls", false}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, after := pollHeldOnAPassedID(t, tc.check)
			t.Logf("answered with id %q %v after the publish", got, after.Round(time.Millisecond))
			if tc.check {
				if got != "2" || after > time.Second {
					t.Errorf("answered with id %q %v after the publish; want id 2 within 1s", got, after.Round(time.Millisecond))
				}
				return
			}
			// The control: proof that the stall is Pushpin's and what the
			// check is for. Should a Pushpin release it, say so.
			if got != "" || after < 4*time.Second {
				t.Errorf("without a check, answered with id %q %v after the publish: this Pushpin releases such polls itself (the release check may be unneeded)", got, after.Round(time.Millisecond))
			}
		})
	}
}

// pollHeldOnAPassedID makes the stall happen and returns the id the second
// poll was answered with ("" for none) and how long after the publish.
func pollHeldOnAPassedID(t *testing.T, check bool) (string, time.Duration) {
	store, err := history.NewDirStore(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.Append(t.Context(), "news", []byte("seed")); err != nil {
		t.Fatal(err)
	}
	h := &Handler{History: store, DefaultChannel: "news", Timeout: 5 * time.Second, Logger: slog.New(slog.DiscardHandler)}
	// A poll with ?gate=<name> is answered only once its gate opens: the
	// function has read the head, and the publish overtakes its answer.
	gates := map[string]chan struct{}{"x": make(chan struct{}), "y": make(chan struct{})}
	var zCalls atomic.Int64 // the origin's calls for poll z, up to date
	var read sync.WaitGroup
	read.Add(len(gates))
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/stream" {
			// Keeps both channels subscribed in Pushpin, as other clients
			// do under load: a poll is not the first to hold them.
			w.Header().Set("Grip-Hold", "stream")
			w.Header().Set("Grip-Channel", "news, news"+feed.ReleaseCheckSuffix)
			return
		}
		if r.URL.Query().Get("gate") == "z" {
			zCalls.Add(1)
		}
		resp, err := h.Handle(r.Context(), &apigw.Request{Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone(), Query: r.URL.Query()})
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		if gate := gates[r.URL.Query().Get("gate")]; gate != nil && r.Header.Get("Grip-Last") == "" {
			read.Done()
			<-gate
		}
		for k, v := range resp.Header {
			w.Header()[k] = v
		}
		w.WriteHeader(resp.Status)
		_, _ = w.Write(resp.Body)
	}))
	t.Cleanup(origin.Close)

	ports := devtest.FreePorts(t, 2)
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	proxy, err := pushpin.Start(ctx, pushpin.Config{
		Origin: strings.TrimPrefix(origin.URL, "http://"), HTTPPort: ports[0], ControlPort: ports[1],
		Output: devtest.NewOutput(t, "pushpin"),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = proxy.Stop() })
	cfg, err := grip.ParseConfig(proxy.ControlURL(), "")
	if err != nil {
		t.Fatal(err)
	}
	pub := grip.NewPublisher(cfg)

	stream, err := http.Get(proxy.URL() + "/stream")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stream.Body.Close() })
	// Past Pushpin's own check of a new subscription (after 1 s), which
	// retries the channel's held polls.
	time.Sleep(1500 * time.Millisecond)

	answers := map[string]chan feed.Poll{}
	for name := range gates {
		answers[name] = make(chan feed.Poll, 1)
		go func() {
			var p feed.Poll
			resp, err := http.Get(proxy.URL() + "/longpoll?channel=news&last_id=1&gate=" + name)
			if err == nil {
				err = json.NewDecoder(resp.Body).Decode(&p)
				resp.Body.Close()
			}
			if err != nil {
				t.Error(err)
			}
			answers[name] <- p
		}()
	}
	read.Wait()
	entries, err := store.Append(t.Context(), "news", []byte("second"))
	if err != nil {
		t.Fatal(err)
	}
	if err := pub.Publish(t.Context(), feed.Items("news", "second", entries[0].ID, entries[0].PrevID)...); err != nil {
		t.Fatal(err)
	}
	published := time.Now()
	close(gates["x"])
	if p := <-answers["x"]; len(p.Messages) != 1 || p.Messages[0].ID != "2" {
		t.Fatalf("the first poll: %+v, want it retried and answered with id 2", p)
	}
	close(gates["y"])
	if check {
		// Poll z is up to date: the check must leave it held (skip-self),
		// or every check would make every held poll call the function.
		go func() {
			resp, err := http.Get(proxy.URL() + "/longpoll?channel=news&last_id=2&gate=z")
			if err == nil {
				resp.Body.Close()
			}
		}()
		time.Sleep(releaseCheckAfter)
		if err := pub.Publish(t.Context(), feed.ReleaseCheck("news", entries[0].ID)); err != nil {
			t.Fatal(err)
		}
		defer func() {
			time.Sleep(300 * time.Millisecond)
			if n := zCalls.Load(); n != 1 {
				t.Errorf("the up-to-date poll called the function %d times, want once (held through the check)", n)
			}
		}()
	}
	p := <-answers["y"]
	got := ""
	if len(p.Messages) > 0 {
		got = p.Messages[len(p.Messages)-1].ID
	}
	return got, time.Since(published)
}
