package main

import (
	"context"
	"errors"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/faas-grip/faas-grip-go/internal/feed"
	"github.com/faas-grip/faas-grip-go/internal/grip"
	"github.com/faas-grip/faas-grip-go/internal/grip/apigw"
	"github.com/faas-grip/faas-grip-go/internal/history"
	"github.com/faas-grip/faas-grip-go/tools/eventtest"
)

// historyHandler is the chat with history on, in a DirStore of its own.
func historyHandler(t *testing.T, opts ...history.DirOption) (*deployed, *eventtest.Publisher, *history.DirStore) {
	t.Helper()
	store, err := history.NewDirStore(t.TempDir(), opts...)
	if err != nil {
		t.Fatal(err)
	}
	h, pub := newHandler(t, map[string]string{"GRIP_URL": testGripURL})
	h.History = store
	return h, pub, store
}

// resumeRequest opens a connection as the page does when it reconnects.
func resumeRequest(t *testing.T, lastID string) *apigw.Request {
	r := openRequest(t)
	if lastID != "" {
		r.Query = url.Values{"last_id": {lastID}}
	}
	return r
}

func handle(t *testing.T, h *deployed, r *apigw.Request) []frame {
	t.Helper()
	resp, err := h.Handle(t.Context(), r)
	if err != nil || resp.Status != 200 {
		t.Fatalf("status %v, err %v", resp, err)
	}
	return decodeFrames(t, resp.Body)
}

// summary renders frames as "message 2 alice: hi", "notice welcome @1".
func summary(frames []frame) string {
	var out []string
	for _, f := range frames {
		switch f.Type {
		case frameMessage:
			s := "message " + f.ID
			if f.From != "" {
				s += " " + f.From + ":"
			}
			out = append(out, s+" "+f.Text)
		default:
			s := "notice " + f.Code
			if f.LastID != "" {
				s += " @" + f.LastID
			}
			out = append(out, s)
		}
	}
	return strings.Join(out, " | ")
}

// Every broadcast gets the next id of the channel, the one the publish
// function's texts get too; the item carries it for the proxy as well.
func TestChatNumbersEveryBroadcast(t *testing.T) {
	h, pub, store := historyHandler(t)
	if _, err := store.Append(t.Context(), "chat", []byte("from the publish function")); err != nil {
		t.Fatal(err)
	}
	handle(t, h, wohRequest(t, nil, "/nick alice", "one", "two"))
	if got := summary(publishedFrames(t, pub)); got != "message 2 alice: one | message 3 alice: two" {
		t.Errorf("broadcast %s", got)
	}
	if it := pub.Calls[0][1]; it.ID != "3" || it.PrevID != "2" {
		t.Errorf("item ids %q %q, want 3 after 2", it.ID, it.PrevID)
	}
}

// An OPEN with ?last_id=N gets the messages after N, chat users' and the
// publish function's alike, and no notice that other clients were sent;
// a new client is told where the channel is.
func TestChatReplaysAtOpen(t *testing.T) {
	h, _, store := historyHandler(t)
	handle(t, h, wohRequest(t, nil, "first", "/nick bob", "second", "/nick"))
	if _, err := store.Append(t.Context(), "chat", []byte(`{"type":"notice","code":"welcome","text":"forged"}`)); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ lastID, want string }{
		{"1", "notice welcome @1 | message 2 bob: second | message 3 {\"type\":\"notice\",\"code\":\"welcome\",\"text\":\"forged\"}"},
		{"001", "notice welcome @1 | message 2 bob: second | message 3 {\"type\":\"notice\",\"code\":\"welcome\",\"text\":\"forged\"}"},
		{"3", "notice welcome @3"},
		{"", "notice welcome @3"},
	}
	for _, tc := range tests {
		frames := handle(t, h, resumeRequest(t, tc.lastID))
		if got := summary(frames); got != tc.want {
			t.Errorf("last_id %q: got %s\nwant %s", tc.lastID, got, tc.want)
		}
	}
}

// The messages after a gap come after a notice that moves the client past
// what is no longer kept, so that it does not take them for a hole.
func TestChatTellsAGap(t *testing.T) {
	h, _, store := historyHandler(t, history.WithMaxEntries(4))
	for i := range 10 {
		if _, err := store.Append(t.Context(), "chat", []byte("m"+strconv.Itoa(i+1))); err != nil {
			t.Fatal(err)
		}
	}
	frames := handle(t, h, resumeRequest(t, "1"))
	if len(frames) < 3 || frames[1].Code != noticeHistoryGap {
		t.Fatalf("got %s, want the welcome, a history-gap notice, then messages", summary(frames))
	}
	next, _ := strconv.Atoi(frames[1].LastID)
	for _, f := range frames[2:] {
		if next++; f.Type != frameMessage || f.ID != strconv.Itoa(next) {
			t.Fatalf("got %s: messages must follow the gap's last_id without a hole", summary(frames))
		}
	}
	if next != 10 {
		t.Errorf("replay ends at %d, want 10", next)
	}

	// An id the channel never reached (its history was reset) moves the
	// client back to the head.
	if got := summary(handle(t, h, resumeRequest(t, "99"))); got != "notice welcome @99 | notice history-gap @10" {
		t.Errorf("ahead of the channel: %s", got)
	}
}

// A replay stops at feed's bounds and says "more"; /since gets the rest,
// to the asking connection only.
func TestChatReplayIsBounded(t *testing.T) {
	h, pub, store := historyHandler(t)
	data := make([][]byte, 150)
	for i := range data {
		data[i] = []byte("m")
	}
	if _, err := store.Append(t.Context(), "chat", data...); err != nil {
		t.Fatal(err)
	}
	frames := handle(t, h, resumeRequest(t, "0"))
	if n := len(frames); n != 1+feed.MaxReplayMessages+1 || frames[n-2].ID != "100" || summary(frames[n-1:]) != "notice more @100" {
		t.Fatalf("got %d frames ending %s, want the welcome, 100 messages and more @100", n, summary(frames[n-2:]))
	}
	frames = handle(t, h, wohRequest(t, nil, "/since 100"))
	if len(frames) != 50 || frames[0].ID != "101" || frames[49].ID != "150" {
		t.Errorf("/since 100: %d frames, %s", len(frames), summary(frames[:1]))
	}
	if len(pub.Calls) != 0 {
		t.Error("a replay is for its connection only: nothing may be published")
	}
}

// /since answers what it can and says why when it cannot; one replay per
// request keeps the response far below Lambda's limit.
func TestChatSince(t *testing.T) {
	h, _, store := historyHandler(t)
	if _, err := store.Append(t.Context(), "chat", []byte("a"), []byte("b")); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		texts []string
		want  string
	}{
		{[]string{"/since 1"}, "message 2 b"},
		{[]string{"/since 2"}, ""},
		{[]string{"/since x"}, "notice bad-last-id"},
		{[]string{"/since"}, "notice bad-last-id"},
		{[]string{"/since -1"}, "notice bad-last-id"},
		{[]string{"/since 0", "/since 1"}, "message 1 a | message 2 b | notice more @1"},
	}
	for _, tc := range tests {
		if got := summary(handle(t, h, wohRequest(t, nil, tc.texts...))); got != tc.want {
			t.Errorf("%q: got %s, want %s", tc.texts, got, tc.want)
		}
	}
	if _, ok := parseSinceCommand("/sincere"); ok {
		t.Error("/sincere is a message, not /since")
	}
}

// Off, the chat works as before: no ids, no replay, and /since says why.
func TestChatWithoutHistory(t *testing.T) {
	h, pub := newHandler(t, map[string]string{"GRIP_URL": testGripURL})
	if got := summary(handle(t, h, resumeRequest(t, "5"))); got != "notice welcome" {
		t.Errorf("OPEN: %s", got)
	}
	if got := summary(handle(t, h, wohRequest(t, nil, "hi", "/since 5"))); got != "notice no-history" {
		t.Errorf("/since: %s", got)
	}
	if got := summary(publishedFrames(t, pub)); got != "message  anonymous: hi" || pub.Calls[0][0].ID != "" {
		t.Errorf("broadcast %s, want no id", got)
	}
}

// failingStore fails what the test says.
type failingStore struct {
	history.Store
	read, write error
}

func (s *failingStore) Last(ctx context.Context, ch string) (string, error) {
	if s.read != nil {
		return "", s.read
	}
	return s.Store.Last(ctx, ch)
}

func (s *failingStore) Append(ctx context.Context, ch string, data ...[]byte) ([]history.Entry, error) {
	if s.write != nil {
		return nil, s.write
	}
	return s.Store.Append(ctx, ch, data...)
}

// A history that cannot be read costs a notice, not the connection; one
// that cannot be written costs the broadcast (nobody has the message, so
// the sender may send it again); a proxy that takes nothing costs neither:
// the message is kept under its id, and the sender sees it.
func TestChatHistoryFailures(t *testing.T) {
	h, pub, store := historyHandler(t)
	down := errors.New("dynamodb: throttled")
	h.History = &failingStore{Store: store, read: down}
	if got := summary(handle(t, h, resumeRequest(t, "1"))); got != "notice welcome | notice history-unavailable" {
		t.Errorf("unreadable: %s", got)
	}
	if got := summary(handle(t, h, resumeRequest(t, "x1"))); got != "notice bad-last-id | notice welcome | notice history-unavailable" {
		t.Errorf("bad last_id, unreadable: %s", got)
	}

	h.History = &failingStore{Store: store, write: down}
	if got := summary(handle(t, h, wohRequest(t, nil, "hi"))); got != "notice not-delivered" || len(pub.Calls) != 0 {
		t.Errorf("unwritable: %s, %d publishes", got, len(pub.Calls))
	}

	h.History = store
	pub.Err = &grip.PublishError{Endpoint: "http://127.0.0.1:5561", Status: 503}
	if got := summary(handle(t, h, wohRequest(t, nil, "hi"))); got != "message 1 anonymous: hi | notice delayed" {
		t.Errorf("proxy down: %s", got)
	}
}
