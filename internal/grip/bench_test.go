package grip

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// chatItems is n chat messages, as the chat function publishes them.
func chatItems(n int) []Item {
	items := make([]Item, n)
	for i := range items {
		items[i] = wsText("room-42", fmt.Sprintf(`{"from":"alice","text":"message %d: %s"}`, i, strings.Repeat("lorem ipsum ", 4)))
	}
	return items
}

// BenchmarkPublishBody measures encoding the body of one publish request.
func BenchmarkPublishBody(b *testing.B) {
	for _, n := range []int{1, 100} {
		items := chatItems(n)
		b.Run(fmt.Sprintf("items=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := publishBody("chat-", items); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkPublishBodyEncodingJSON is the same body built with struct tags
// and encoding/json, the alternative the hand-written encoder is measured
// against.
func BenchmarkPublishBodyEncodingJSON(b *testing.B) {
	type wsMessage struct {
		Content    *string `json:"content,omitempty"`
		ContentBin []byte  `json:"content-bin,omitempty"`
	}
	type formats struct {
		WSMessage *wsMessage `json:"ws-message,omitempty"`
	}
	type item struct {
		Channel string            `json:"channel"`
		ID      string            `json:"id,omitempty"`
		PrevID  string            `json:"prev-id,omitempty"`
		Meta    map[string]string `json:"meta,omitempty"`
		NoSeq   bool              `json:"no-seq,omitempty"`
		Formats formats           `json:"formats"`
	}
	for _, n := range []int{1, 100} {
		items := chatItems(n)
		b.Run(fmt.Sprintf("items=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				body := struct {
					Items []item `json:"items"`
				}{Items: make([]item, len(items))}
				for i, it := range items {
					content := string(it.Formats.WSMessage.Content)
					body.Items[i] = item{Channel: "chat-" + it.Channel, Formats: formats{WSMessage: &wsMessage{Content: &content}}}
				}
				if _, err := json.Marshal(body); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
