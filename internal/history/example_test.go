//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package history_test

import (
	"context"
	"fmt"
	"os"

	"github.com/faas-grip/faas-grip-go/internal/history"
)

func ExampleDirStore() {
	dir, _ := os.MkdirTemp("", "history-example")
	defer os.RemoveAll(dir)
	ctx := context.Background()
	store, err := history.NewDirStore(dir)
	if err != nil {
		panic(err)
	}

	// The publish function numbers its items before publishing them with
	// "id" and "prev-id".
	entries, _ := store.Append(ctx, "news", []byte("one"), []byte("two"), []byte("three"))
	for _, e := range entries {
		fmt.Printf("publish id=%s prev-id=%q: %s\n", e.ID, e.PrevID, e.Data)
	}

	// The long-poll function answers a client that saw id 1 at once,
	missed, err := store.Since(ctx, "news", "1", 10)
	if err != nil {
		panic(err) // errors.Is(err, history.ErrGap): tell the client it missed some
	}
	for _, e := range missed {
		fmt.Printf("resume with id=%s: %s\n", e.ID, e.Data)
	}
	// and holds an up-to-date client with Grip-Channel: news; prev-id=<Last>.
	last, _ := store.Last(ctx, "news")
	fmt.Println("Grip-Channel: news; prev-id=" + last)
	// Output:
	// publish id=1 prev-id="": one
	// publish id=2 prev-id="1": two
	// publish id=3 prev-id="2": three
	// resume with id=2: two
	// resume with id=3: three
	// Grip-Channel: news; prev-id=3
}

func ExampleFromEnv() {
	dir, _ := os.MkdirTemp("", "history-example")
	defer os.RemoveAll(dir)
	env := map[string]string{"HISTORY_DIR": dir} // os.Getenv in a function's main
	store, err := history.FromEnv(context.Background(), func(k string) string { return env[k] })
	if err != nil {
		panic(err)
	}
	if store == nil {
		fmt.Println("no history: publish without ids")
		return
	}
	entries, err := store.Append(context.Background(), "room", []byte("hello"))
	if err != nil {
		panic(err)
	}
	fmt.Println("appended id", entries[0].ID)
	// Output:
	// appended id 1
}
