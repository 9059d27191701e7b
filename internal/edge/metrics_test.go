package edge

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"testing"

	"github.com/faas-grip/faas-grip-go/internal/emf"
	"github.com/faas-grip/faas-grip-go/internal/grip/apigw"
	"github.com/faas-grip/faas-grip-go/tools/emftest"
)

// A function's setup gets the edge's metrics writer (ColdStart.Metrics):
// its lines carry the edge's namespace and FunctionName. Outside Lambda the
// writer is nil and the same Emit writes nothing.
func TestSetupGetsTheMetricsWriter(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		want bool // a line written
	}{
		{"in Lambda", map[string]string{"AWS_LAMBDA_FUNCTION_NAME": "fn"}, true},
		{"outside Lambda", nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			emit := func(cold ColdStart) {
				if err := cold.Metrics.Emit(nil, emf.Metric{Name: "Mine", Unit: emf.Count, Value: 2}); err != nil {
					t.Error(err)
				}
			}
			metrics := newMetrics(getenv(tc.env), &out)
			_, err := newGuardedHandler(t.Context(), getenv(map[string]string{"GRIP_URL": pushpinURL}), slog.New(slog.DiscardHandler),
				func(_ context.Context, cold ColdStart) (apigw.Handler, error) {
					emit(cold)
					return func(context.Context, *apigw.Request) (*apigw.Response, error) { return nil, nil }, nil
				}, withMetrics(metrics))
			if err != nil {
				t.Fatal(err)
			}
			_, err = newEventHandler(t.Context(), getenv(nil), slog.New(slog.DiscardHandler), metrics,
				func(_ context.Context, cold ColdStart) (EventHandler, error) {
					emit(cold)
					return func(context.Context, json.RawMessage) (any, error) { return nil, nil }, nil
				})
			if err != nil {
				t.Fatal(err)
			}
			lines := emftest.Lines(t, out.Bytes())
			if !tc.want {
				if len(lines) != 0 {
					t.Errorf("lines written outside Lambda: %q", out.String())
				}
				return
			}
			if len(lines) != 2 {
				t.Fatalf("want a line from each setup, got %q", out.String())
			}
			for _, l := range lines {
				if l["FunctionName"] != "fn" || l["Mine"] != json.Number("2") || !bytes.Contains(out.Bytes(), []byte(`"Namespace":"faas-grip"`)) {
					t.Errorf("line %v: want Mine 2 for fn in faas-grip", l)
				}
			}
		})
	}
}
