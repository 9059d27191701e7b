package e2e

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// hs256 signs claims as Pushpin signs Grip-Sig.
func hs256(key, claims string) string {
	enc := base64.RawURLEncoding
	unsigned := enc.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`)) + "." + enc.EncodeToString([]byte(claims))
	mac := hmac.New(sha256.New, []byte(key))
	mac.Write([]byte(unsigned))
	return unsigned + "." + enc.EncodeToString(mac.Sum(nil))
}

// Requests that reach the local API Gateway without Pushpin's Grip-Sig are
// refused; the same request signed with the instance's key is served.
func TestDirectRequestsNeedGripSig(t *testing.T) {
	s := stack(t)
	exp := time.Now().Add(time.Hour).Unix()
	valid := hs256(s.Pushpin().SigKey(), `{"iss":"pushpin","exp":`+itoa(exp)+`}`)

	for _, tc := range []struct {
		name, sig string
		want      int
	}{
		{"no Grip-Sig", "", http.StatusUnauthorized},
		{"signed with the stock key", hs256("changeme", `{"iss":"pushpin","exp":`+itoa(exp)+`}`), http.StatusForbidden},
		{"expired", hs256(s.Pushpin().SigKey(), `{"iss":"pushpin","exp":1700000000}`), http.StatusForbidden},
		{"wrong issuer", hs256(s.Pushpin().SigKey(), `{"iss":"someone","exp":`+itoa(exp)+`}`), http.StatusForbidden},
		{"not a JWT", "garbage", http.StatusForbidden},
		{"valid", valid, http.StatusOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, r := range []struct{ function, method, path, contentType, body string }{
				{"ChatFunction", "POST", "/chat", "application/websocket-events", "OPEN\r\n"},
				{"StreamFunction", "GET", "/stream?channel=direct", "", ""},
				{"LongpollFunction", "GET", "/longpoll?channel=direct", "", ""},
			} {
				if !inTemplate(t, r.function) {
					t.Logf("%s %s: skipped, %s is not in template.yaml", r.method, r.path, r.function)
					continue
				}
				req, _ := http.NewRequest(r.method, s.APIURL()+r.path, strings.NewReader(r.body))
				if r.contentType != "" {
					req.Header.Set("Content-Type", r.contentType)
					req.Header.Set("Accept", r.contentType)
					req.Header.Set("Connection-Id", "forged")
				}
				if tc.sig != "" {
					req.Header.Set("Grip-Sig", tc.sig)
				}
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != tc.want {
					t.Errorf("%s %s: status %d, want %d (%s)", r.method, r.path, resp.StatusCode, tc.want, body)
				}
			}
		})
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
