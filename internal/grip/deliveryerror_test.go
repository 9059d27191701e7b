package grip

import (
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
)

// One of two endpoints fails, then recovers: the error says which one, and
// finishing the publish with PublishExcept reaches that one only, so each
// endpoint receives the items exactly once.
func TestPublishExceptFinishesAPartialPublish(t *testing.T) {
	var bDown atomic.Bool
	bDown.Store(true)
	a := newProxy(t, nil)
	b := newProxy(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
		if bDown.Load() {
			http.Error(w, "down", http.StatusServiceUnavailable)
		}
	})
	pub := publisherFor(t, a.URL+","+b.URL, "", withMaxAttempts(2), fastRetries)
	ids := pub.EndpointIDs()
	if len(ids) != 2 || ids[0] == ids[1] {
		t.Fatalf("EndpointIDs = %v, want two distinct ids", ids)
	}

	err := pub.Publish(testContext(t), wsText("c", "x"))
	var de *DeliveryError
	if !errors.As(err, &de) {
		t.Fatalf("err = %v, want a *DeliveryError", err)
	}
	if !slices.Equal(de.Delivered, ids[:1]) || len(de.Failed) != 1 || de.Failed[0].EndpointID != ids[1] || de.Failed[0].Status != 503 || de.Failed[0].Attempts != 2 {
		t.Fatalf("DeliveryError = %+v, failed %+v; want A delivered, B failed after 2 attempts", de, de.Failed)
	}
	var pe *PublishError
	if !errors.As(err, &pe) || pe.EndpointID != ids[1] {
		t.Errorf("errors.As(*PublishError) = %+v, want B's", pe)
	}
	if failed, known := FailedEndpoints(err); !known || !slices.Equal(failed, ids[1:]) {
		t.Errorf("FailedEndpoints = %v, %v; want [B], true", failed, known)
	}
	if !strings.Contains(err.Error(), "1 of 2 endpoints") || !strings.Contains(err.Error(), b.URL) {
		t.Errorf("message %q names neither the count nor B", err)
	}

	bDown.Store(false)
	if err := pub.PublishExcept(testContext(t), de.Delivered, wsText("c", "x")); err != nil {
		t.Fatalf("PublishExcept after B recovered: %v", err)
	}
	if got := len(a.received()); got != 1 {
		t.Errorf("A got %d requests, want 1: the finishing publish went to A again", got)
	}
	if got := len(b.received()); got != 3 { // 2 refused attempts, 1 accepted
		t.Errorf("B got %d requests, want 3", got)
	}

	// Everything skipped: nothing sent, no error. Unknown ids are ignored.
	if err := pub.PublishExcept(testContext(t), append(ids, "ep-unknown"), wsText("c", "x")); err != nil {
		t.Errorf("PublishExcept skipping all: %v", err)
	}
	if err := pub.PublishExcept(testContext(t), []string{"ep-unknown"}, wsText("c", "y")); err != nil {
		t.Errorf("PublishExcept with an unknown id: %v", err)
	}
	if len(a.received()) != 2 || len(b.received()) != 4 {
		t.Errorf("requests a=%d b=%d, want 2 and 4", len(a.received()), len(b.received()))
	}
}

// With one endpoint the error stays a plain *PublishError, now with the ID.
func TestPublishOneEndpointErrorHasID(t *testing.T) {
	bad := newProxy(t, status(http.StatusBadRequest, "no"))
	pub := publisherFor(t, bad.URL, "")
	err := pub.Publish(testContext(t), wsText("c", "x"))
	var pe *PublishError
	if !errors.As(err, &pe) || pe.EndpointID != pub.EndpointIDs()[0] {
		t.Fatalf("err = %#v, want a *PublishError with the endpoint's ID", err)
	}
	var de *DeliveryError
	if errors.As(err, &de) {
		t.Error("one endpoint gave a *DeliveryError")
	}
	if failed, known := FailedEndpoints(err); !known || len(failed) != 1 {
		t.Errorf("FailedEndpoints = %v, %v", failed, known)
	}
	if _, known := FailedEndpoints(errNoEndpoints); known {
		t.Error("FailedEndpoints knows endpoints for errNoEndpoints")
	}
	if _, known := FailedEndpoints(pub.Publish(testContext(t), Item{})); known {
		t.Error("FailedEndpoints knows endpoints for an invalid item (nothing was sent)")
	}
}

// Endpoint IDs are stable, differ per control URI and carry no secret.
func TestEndpointID(t *testing.T) {
	cfg, err := ParseConfig("https://proxy.example/realm/r?iss=r&key=base64:c2VjcmV0,http://user:hunter2@localhost:5561", "")
	if err != nil {
		t.Fatal(err)
	}
	first, second := endpointID(cfg.Endpoints[0].ControlURI), endpointID(cfg.Endpoints[1].ControlURI)
	if first == second || !strings.HasPrefix(first, "ep-") || len(first) != 19 {
		t.Errorf("IDs %q, %q", first, second)
	}
	for _, secret := range []string{"hunter2", "c2VjcmV0", "secret", "user"} {
		if strings.Contains(first+second, secret) {
			t.Errorf("IDs %q, %q hold %q", first, second, secret)
		}
	}
	again, _ := ParseConfig("https://proxy.example/realm/r?iss=r&key=base64:b3RoZXI=", "")
	if endpointID(again.Endpoints[0].ControlURI) != first {
		t.Error("another key (or no user info) changed the ID: a rotated key would redeliver everything")
	}
	hand := Endpoint{ControlURI: "http://u:p@localhost:5561"}
	if endpointID(hand.ControlURI) != endpointID(cfg.Endpoints[1].ControlURI) {
		t.Error("user info in a hand-built ControlURI changed the ID")
	}
}
