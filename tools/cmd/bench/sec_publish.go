package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/faas-grip/faas-grip-go/internal/grip/woh"
)

// publishes is (f): the publish requests one chat invocation carrying k
// messages makes, counted at the GRIP control endpoint.
func (b *bench) publishes(ctx context.Context) error {
	env, err := b.functionEnv()
	if err != nil {
		return err
	}
	if err := b.needChat(); err != nil {
		return err
	}
	f, err := startReady(b.hostBins[chatFunction], env)
	if err != nil {
		return err
	}
	defer f.stop()
	s := b.r.section("(f) publish requests made by one chat invocation carrying k messages",
		"k", "publish requests (must be 1)", "items published")
	for _, k := range []int{1, 10, 100} {
		event, err := b.chatEvent(k)
		if err != nil {
			return err
		}
		b.grip.take()
		ictx, cancel := context.WithTimeout(ctx, 10*time.Second)
		_, err = f.invoke(ictx, event)
		cancel()
		if err != nil {
			return err
		}
		requests, items := b.grip.take()
		s.row(strconv.Itoa(k), b.r.judge(fmt.Sprintf("publish requests for %d messages", k), strconv.Itoa(requests), requests == 1), strconv.Itoa(items))
	}
	return nil
}

// chatEvent is events/chat-message.json carrying k TEXT messages.
func (b *bench) chatEvent(k int) ([]byte, error) {
	raw, err := b.event("chat-message.json")
	if err != nil {
		return nil, err
	}
	var e map[string]any
	if err := json.Unmarshal(raw, &e); err != nil {
		return nil, err
	}
	var body []byte
	for i := range k {
		body = append(body, woh.Encode(woh.Event{Type: woh.Text, Content: []byte("message " + strconv.Itoa(i+1))})...)
	}
	e["body"] = base64.StdEncoding.EncodeToString(body)
	return json.Marshal(e)
}
