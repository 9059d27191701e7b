package jsonstr

import (
	"bytes"
	"encoding/json"
	"testing"
)

// encodingJSON is the reference: encoding/json with HTML escaping off.
func encodingJSON(t *testing.T, s string) []byte {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		t.Fatal(err)
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

func TestAppend(t *testing.T) {
	for _, s := range []string{"", "plain", "a\"b\\c\b\f\n\r\t\x01\x1f<>&", "\u2028\u2029", "\xff\xc3é😀"} {
		if got, want := Append(nil, s), encodingJSON(t, s); !bytes.Equal(got, want) {
			t.Errorf("Append(%q) = %s, want %s", s, got, want)
		}
		if got, want := Append(nil, []byte(s)), encodingJSON(t, s); !bytes.Equal(got, want) {
			t.Errorf("Append([]byte(%q)) = %s, want %s", s, got, want)
		}
	}
	if got := string(AppendBody(AppendBody([]byte("x"), "a\""), "b")); got != `xa\"b` {
		t.Errorf("AppendBody pieces = %s", got)
	}
}

func FuzzAppend(f *testing.F) {
	f.Add("plain")
	f.Add("a\"b\\c\b\f\n\r\t\x01\x1f<>&\u2028\u2029\xff\xc3é😀")
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := Append(nil, s), encodingJSON(t, s); !bytes.Equal(got, want) {
			t.Fatalf("Append(%q) = %s, want %s", s, got, want)
		}
	})
}
