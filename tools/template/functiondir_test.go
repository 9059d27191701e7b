package template

import "testing"

func TestFunctionDir(t *testing.T) {
	for id, want := range map[string]string{
		"ChatFunction":      "functions/chat",
		"MyFeatureFunction": "functions/myfeature",
		"MyfeatureFunction": "functions/myfeature",
	} {
		if got := FunctionDir(id); got != want {
			t.Errorf("FunctionDir(%q) = %q, want %q", id, got, want)
		}
	}
}
