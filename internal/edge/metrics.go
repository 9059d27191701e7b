package edge

// The edge's metrics, as CloudWatch Embedded Metric Format lines on stdout
// (package emf), in namespace "faas-grip" with the dimension FunctionName:
//   - ColdStart (Count) and ColdStartSetup (Milliseconds: configuration,
//     secrets and setup) once per cold start that serves;
//   - GripSigRefused (Count) per request the Grip-Sig check refused, also by
//     Reason (sig.Refusal.Code: missing, expired, signature...).
//
// A function writes its own metrics with the same writer, which its setup
// gets as ColdStart.Metrics: one namespace and dimension for all.

import (
	"io"
	"time"

	"github.com/faas-grip/faas-grip-go/internal/emf"
)

const (
	metricNamespace = "faas-grip"
	metricColdStart = "ColdStart"
	metricSetup     = "ColdStartSetup"
	metricRefused   = "GripSigRefused"
)

// newMetrics writes the function's metrics to w when it runs as a Lambda
// function (AWS_LAMBDA_FUNCTION_NAME set: Lambda, sam local, the local
// stack); nil, which emits nothing, elsewhere.
func newMetrics(getenv func(string) string, w io.Writer) *emf.Writer {
	name := getenv("AWS_LAMBDA_FUNCTION_NAME")
	if name == "" {
		return nil
	}
	return emf.NewWriter(w, metricNamespace, emf.Dimension{Name: "FunctionName", Value: name})
}

// emitColdStart counts a cold start that took setup to be ready to serve.
func emitColdStart(m *emf.Writer, setup time.Duration) {
	_ = m.Emit(nil,
		emf.Metric{Name: metricColdStart, Unit: emf.Count, Value: 1},
		emf.Metric{Name: metricSetup, Unit: emf.Milliseconds, Value: float64(setup.Microseconds()) / 1000})
}
