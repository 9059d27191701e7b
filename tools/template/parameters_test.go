package template

import (
	"reflect"
	"testing"
)

func TestParseParameterOverrides(t *testing.T) {
	got, err := ParseParameterOverrides("GripPrefix=dev- ParameterKey=ChatChannel,ParameterValue=lobby Empty=")
	want := map[string]string{"GripPrefix": "dev-", "ChatChannel": "lobby", "Empty": ""}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, %v; want %v", got, err, want)
	}
	for _, bad := range []string{"novalue", "=x", "ParameterKey=A", "ParameterKey=,ParameterValue=x"} {
		if _, err := ParseParameterOverrides(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}
