package template

import (
	"reflect"
	"testing"
)

func TestEnvOverrides(t *testing.T) {
	o, err := ParseEnvOverrides([]byte(`{
		"Parameters": {"A": "global", "B": "global", "N": 7, "T": true, "Z": null, "S": "a\/b \u00e9"},
		"Fn": {"B": "fn", "C": "fn"},
		"Other": {"A": "other"}
	}`))
	if err != nil {
		t.Fatal(err)
	}
	base := map[string]string{"A": "template", "KEEP": "template"}
	got := o.Apply("Fn", base)
	want := map[string]string{"A": "global", "B": "fn", "C": "fn", "KEEP": "template", "N": "7", "T": "true", "Z": "", "S": "a/b é"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Apply = %v, want %v", got, want)
	}
	if base["A"] != "template" {
		t.Error("Apply modified its input")
	}
	if got := (EnvOverrides(nil)).Apply("Fn", nil); got == nil || len(got) != 0 {
		t.Errorf("nil overrides: got %v", got)
	}
}

func TestEnvOverridesErrors(t *testing.T) {
	for _, in := range []string{`[]`, `{"Parameters": {"A": {"x": 1}}}`, `{"Parameters": "x"}`, `nope`} {
		if _, err := ParseEnvOverrides([]byte(in)); err == nil {
			t.Errorf("ParseEnvOverrides(%s): no error", in)
		}
	}
	if _, err := LoadEnvOverrides("testdata/missing.json"); err == nil {
		t.Error("LoadEnvOverrides of a missing file: no error")
	}
	if o, err := LoadEnvOverrides(""); err != nil || len(o) != 0 {
		t.Errorf("LoadEnvOverrides(\"\") = %v, %v", o, err)
	}
}
