package template

import (
	"reflect"
	"testing"
)

func TestParseEnvOverrides(t *testing.T) {
	o, err := ParseEnvOverrides([]byte(`{
		"Parameters": {"A": "global", "B": "global", "N": 7, "T": true, "Z": null, "S": "a\/b \u00e9"},
		"Fn": {"B": "fn", "C": "fn"},
		"fn-name": {"C": "by name"},
		"Other": {"A": "other"}
	}`))
	if err != nil {
		t.Fatal(err)
	}
	got := o.For(&Function{LogicalID: "Fn", FunctionName: "fn-name"})
	want := map[string]string{"A": "global", "B": "fn", "C": "by name", "N": "7", "T": "true", "Z": "", "S": "a/b é"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("For = %v, want %v", got, want)
	}
	if got := (EnvOverrides(nil)).For(&Function{LogicalID: "Fn"}); got == nil || len(got) != 0 {
		t.Errorf("nil overrides: got %v", got)
	}
}

// sam local --env-vars overrides declared variables only (issue #1604).
func TestOverrideDeclared(t *testing.T) {
	for _, tc := range []struct {
		name        string
		declared    map[string]string
		overrides   map[string]string
		want        map[string]string
		wantIgnored []string
	}{
		{
			name:      "declared names take the override",
			declared:  map[string]string{"GRIP_URL": "", "KEEP": "template"},
			overrides: map[string]string{"GRIP_URL": "http://127.0.0.1:5561"},
			want:      map[string]string{"GRIP_URL": "http://127.0.0.1:5561", "KEEP": "template"},
		},
		{
			name:        "undeclared names are ignored and reported",
			declared:    map[string]string{"GRIP_URL": ""},
			overrides:   map[string]string{"HISTORY_DIR": "/tmp/h", "GRIP_URL": "x", "AWS_ENDPOINT_URL": "http://127.0.0.1:5000"},
			want:        map[string]string{"GRIP_URL": "x"},
			wantIgnored: []string{"AWS_ENDPOINT_URL", "HISTORY_DIR"},
		},
		{
			name:      "a declared empty value can be set",
			declared:  map[string]string{"HISTORY_DIR": ""},
			overrides: map[string]string{"HISTORY_DIR": "/tmp/h"},
			want:      map[string]string{"HISTORY_DIR": "/tmp/h"},
		},
		{
			name:        "nothing declared: nothing set",
			overrides:   map[string]string{"A": "1"},
			want:        map[string]string{},
			wantIgnored: []string{"A"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := map[string]string{}
			for k, v := range tc.declared {
				in[k] = v
			}
			got, ignored := OverrideDeclared(tc.declared, tc.overrides)
			if !reflect.DeepEqual(got, tc.want) || !reflect.DeepEqual(ignored, tc.wantIgnored) {
				t.Errorf("got %v, ignored %v; want %v, ignored %v", got, ignored, tc.want, tc.wantIgnored)
			}
			if !reflect.DeepEqual(tc.declared, in) && tc.declared != nil {
				t.Error("OverrideDeclared modified its input")
			}
		})
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
