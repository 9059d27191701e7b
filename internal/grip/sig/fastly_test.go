package sig

import (
	"strings"
	"testing"

	"github.com/faas-grip/faas-grip-go/internal/grip"
)

// Fastly signs every customer's Grip-Sig with one published key, so that key
// proves nothing unless the issuer names this origin's service: without the
// check, any Fastly service's Fanout could sign requests it accepts.
// Endpoints are built by hand here, as a fork or a test may.
func TestFastlyKeyNeedsTheServiceIssuer(t *testing.T) {
	vk, err := parseKey(fastlyKey)
	if err != nil {
		t.Fatal(err)
	}
	fastlyPEM, err := publicPEM(vk.key)
	if err != nil {
		t.Fatal(err)
	}
	ownPEM := testKeys(t).ecPEM
	tests := []struct {
		name   string
		ep     grip.Endpoint
		issuer string // the verifier's; "" with want set: refused
		want   string // part of the error
	}{
		{"no service", grip.Endpoint{ControlURI: "https://api.fastly.com", Key: []byte("tok")}, "", "/service/<SERVICE_ID>"},
		{"service id missing", grip.Endpoint{ControlURI: "https://api.fastly.com/service"}, "", "/service/<SERVICE_ID>"},
		{"services typo", grip.Endpoint{ControlURI: "https://api.fastly.com/services/SID"}, "", "/service/<SERVICE_ID>"},
		{"another service's issuer", grip.Endpoint{ControlURI: "https://api.fastly.com/service/SID", VerifyIssuer: "fastly:OTHER"}, "", "verify-iss=fastly:SID"},
		{"an issuer Fastly never signs", grip.Endpoint{ControlURI: "https://api.fastly.com/service/SID", VerifyIssuer: "custom"}, "", "verify-iss=fastly:SID"},
		{"Fastly's key, no issuer, elsewhere", grip.Endpoint{ControlURI: "http://proxy.example:5561", VerifyKey: fastlyKey}, "", "verify-iss=fastly:<SERVICE_ID>"},
		{"Fastly's key as PEM, no issuer", grip.Endpoint{ControlURI: "http://proxy.example:5561", VerifyKey: fastlyPEM}, "", "verify-iss=fastly:<SERVICE_ID>"},
		{"Fastly's key, issuer without a service", grip.Endpoint{ControlURI: "http://proxy.example:5561", VerifyKey: fastlyKey, VerifyIssuer: "fastly:"}, "", "verify-iss=fastly:<SERVICE_ID>"},
		{"Fastly's key and issuer, elsewhere", grip.Endpoint{ControlURI: "http://proxy.example:5561", VerifyKey: fastlyKey, VerifyIssuer: "fastly:SID"}, "fastly:SID", ""},
		{"service URL", grip.Endpoint{ControlURI: "https://api.fastly.com/service/SID", Key: []byte("tok")}, "fastly:SID", ""},
		{"service URL with its issuer", grip.Endpoint{ControlURI: "https://api.fastly.com/service/SID", VerifyIssuer: "fastly:SID"}, "fastly:SID", ""},
		{"service URL with Fastly's key, no issuer", grip.Endpoint{ControlURI: "https://api.fastly.com/service/SID", VerifyKey: fastlyPEM}, "fastly:SID", ""},
		{"service URL with a key of its own", grip.Endpoint{ControlURI: "https://api.fastly.com/service/SID", VerifyKey: ownPEM, VerifyIssuer: "custom"}, "custom", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// Not deployed: a local run is refused too.
			p, err := NewPolicy([]grip.Endpoint{tc.ep}, PolicyOptions{Required: true})
			if tc.want != "" {
				if err == nil {
					t.Fatalf("accepted, verifying with issuer %q", p.verifiers[0].issuer)
				}
				if !strings.Contains(err.Error(), tc.want) {
					t.Errorf("error %q does not say what to write (%q)", err, tc.want)
				}
				if strings.Contains(err.Error(), "tok") || strings.Contains(err.Error(), "CKo5A1eb") {
					t.Errorf("error %q quotes a key", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(p.verifiers) != 1 || p.verifiers[0].issuer != tc.issuer {
				t.Fatalf("verifiers %+v, want one with issuer %q", p.verifiers, tc.issuer)
			}
		})
	}
}
