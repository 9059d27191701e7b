package pushpin

import (
	"context"
	"strings"
	"testing"
)

func TestStartChecksTheRoute(t *testing.T) {
	for _, tc := range []struct {
		cfg  Config
		want string
	}{
		{Config{}, "Origin or Config.Route is required"},
		{Config{Route: "* 127.0.0.1:1,over_http\n* other:2"}, "one routes-file line"},
	} {
		_, err := Start(context.Background(), tc.cfg)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Start(%+v) = %v, want an error saying %q", tc.cfg, err, tc.want)
		}
	}
}
