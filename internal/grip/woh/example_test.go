package woh_test

import (
	"fmt"

	"github.com/faas-grip/faas-grip-go/internal/grip/woh"
)

func ExampleDecode() {
	body := []byte("OPEN\r\nTEXT 5\r\nhello\r\nTEXT 0\r\n\r\nCLOSE 2\r\n\x03\xe8\r\n")
	events, err := woh.Decode(body)
	if err != nil {
		fmt.Println("400:", err)
		return
	}
	for _, e := range events {
		fmt.Printf("%s %q nil=%v\n", e.Type, e.Content, e.Content == nil)
	}
	// Output:
	// OPEN "" nil=true
	// TEXT "hello" nil=false
	// TEXT "" nil=false
	// CLOSE "\x03\xe8" nil=false
}

func ExampleDecode_malformed() {
	_, err := woh.Decode([]byte("TEXT 5\r\nhi\r\n"))
	fmt.Println(err)
	// Output: woh: malformed body at byte 8: content runs past the end of the body
}

func ExampleEncode() {
	body := woh.Encode(
		woh.Event{Type: woh.Open},
		woh.Event{Type: woh.Text, Content: []byte(`c:{"channel":"room","type":"subscribe"}`)},
		woh.Event{Type: woh.Text, Content: []byte("m:hello")},
	)
	fmt.Printf("%q\n", body)
	// Output: "OPEN\r\nTEXT 27\r\nc:{\"channel\":\"room\",\"type\":\"subscribe\"}\r\nTEXT 7\r\nm:hello\r\n"
}

func ExampleAppendStart() {
	// Write "m:" + a string as one TEXT event without building the content first.
	msg := "hello"
	out := woh.AppendStart(nil, woh.Text, len("m:")+len(msg))
	out = append(out, "m:"...)
	out = append(out, msg...)
	out = woh.AppendEnd(out)
	fmt.Printf("%q\n", out)
	// Output: "TEXT 7\r\nm:hello\r\n"
}

func ExampleParseClose() {
	code, reason := woh.ParseClose([]byte("\x03\xe9going away"))
	fmt.Println(code, reason)

	code, _ = woh.ParseClose(nil) // no status: pick a default
	if code == 0 {
		code = woh.NormalClosure
	}
	fmt.Println(code)
	// Output:
	// 1001 going away
	// 1000
}

func ExampleAppendCloseContent() {
	fmt.Printf("%q\n", woh.Encode(woh.Event{Type: woh.Close, Content: woh.AppendCloseContent(nil, 1000, "bye")}))
	// Output: "CLOSE 5\r\n\x03\xe8bye\r\n"
}
