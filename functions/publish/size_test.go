package main

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/faas-grip/faas-grip-go/internal/grip"
)

// pushpinLimit is the body size Pushpin 1.36 refuses with "400 Request body
// too large".
const pushpinLimit = 1_000_000

// sizeLimitedProxy answers publishes as Pushpin does, refusing large
// bodies, and records the size of each request it gets.
func sizeLimitedProxy(t *testing.T) (url string, sizes func() []int) {
	var mu sync.Mutex
	var got []int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := io.Copy(io.Discard, r.Body)
		mu.Lock()
		got = append(got, int(n))
		mu.Unlock()
		if n > pushpinLimit {
			http.Error(w, "Request body too large", http.StatusBadRequest)
		}
	}))
	t.Cleanup(srv.Close)
	return srv.URL, func() []int {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(got)
	}
}

// A batch too large for one request goes out in several, each under the
// proxy's limit, in order; one that fits goes out in one.
func TestBatchSplitBySize(t *testing.T) {
	for _, tc := range []struct {
		name     string
		textLen  int
		requests int
	}{
		{"fits one request", 1000, 1},
		{"four messages of 240 kB encoded don't", 60_000, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			url, sizes := sizeLimitedProxy(t)
			cfg, err := grip.ParseConfig(url, "")
			if err != nil {
				t.Fatal(err)
			}
			h, _ := newHandler(t)
			h.Publisher = grip.NewPublisher(cfg)
			var pairs []string
			for i := range 10 {
				pairs = append(pairs, "m"+strconv.Itoa(i), `{"channel":"news","text":"`+strings.Repeat(strconv.Itoa(i), tc.textLen)+`"}`)
			}
			resp := h.HandleSQS(t.Context(), sqsEvent(pairs...))
			if got := failures(resp); len(got) != 0 {
				t.Errorf("failures %v", got)
			}
			got := sizes()
			if len(got) != tc.requests {
				t.Errorf("%d requests (%v bytes), want %d", len(got), got, tc.requests)
			}
			for _, n := range got {
				if n > maxItemsBytes+100 {
					t.Errorf("a request of %d bytes", n)
				}
			}
			if last := stored(t, h.History, "news"); len(last) != 10 {
				t.Errorf("history %d entries", len(last))
			}
		})
	}
}

// A text too large to publish in one request is refused up front, naming
// the field; in an SQS batch it fails alone.
func TestTextTooLarge(t *testing.T) {
	h, pub := newHandler(t)
	big := `{"channel":"news","text":"` + strings.Repeat("x", 230_000) + `"}` // about 920 kB sent 4 ways
	_, err := h.Handle(t.Context(), json.RawMessage(big))
	var inputErr *InputError
	if !errors.As(err, &inputErr) || inputErr.Field != "text" || !strings.Contains(err.Error(), "too large") || !strings.Contains(err.Error(), strconv.Itoa(maxItemsBytes)) {
		t.Errorf("error %v, want an InputError on field text naming the limit", err)
	}
	// Escaping counts: quotes are escaped twice in the long-poll body.
	quotes := `{"channel":"news","text":"` + strings.Repeat(`\"`, 100_000) + `"}`
	if _, err := h.Handle(t.Context(), json.RawMessage(quotes)); !errors.As(err, &inputErr) || inputErr.Field != "text" {
		t.Errorf("100 kB of quotes: %v", err)
	}
	if len(pub.Calls) != 0 {
		t.Error("published a refused message")
	}

	url, sizes := sizeLimitedProxy(t)
	cfg, _ := grip.ParseConfig(url, "")
	h.Publisher = grip.NewPublisher(cfg)
	h.Logger = slog.New(slog.DiscardHandler)
	okay := `{"channel":"news","text":"` + strings.Repeat("y", 200_000) + `"}`
	resp := h.HandleSQS(t.Context(), sqsEvent("small", `{"channel":"news","text":"hi"}`, "big", big, "largest", okay))
	if got := failures(resp); !slices.Equal(got, []string{"big"}) {
		t.Errorf("failures %v, want only the one too large", got)
	}
	if got := sizes(); len(got) != 1 || got[0] > pushpinLimit {
		t.Errorf("requests of %v bytes", got)
	}
}

func TestFormatsTooLarge(t *testing.T) {
	h, _ := newHandler(t)
	bin := strings.Repeat("QUFB", 240_000) // 960 kB of base64
	_, err := h.Handle(t.Context(), json.RawMessage(`{"channel":"news","formats":{"ws-message":{"content-bin":"`+bin+`"}}}`))
	var inputErr *InputError
	if !errors.As(err, &inputErr) || inputErr.Field != "formats" || !strings.Contains(err.Error(), "too large") {
		t.Errorf("error %v, want an InputError on field formats", err)
	}
}
