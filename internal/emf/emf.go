// Package emf writes CloudWatch Embedded Metric Format lines: one JSON
// object per line on stdout, which CloudWatch Logs turns into metrics
// without an API call (and without the AWS SDK in the function).
//
// A line names its namespace, its dimension sets and its metrics in "_aws",
// and carries each dimension's value and each metric's number at the top
// level:
//
//	{"_aws":{"Timestamp":1764700000000,"CloudWatchMetrics":[{"Namespace":"faas-grip",
//	  "Dimensions":[["FunctionName"]],"Metrics":[{"Name":"ColdStart","Unit":"Count"}]}]},
//	 "FunctionName":"chat","ColdStart":1}
//
// Every dimension value makes its own metric (billed as one): use only
// values from a small fixed set, never a user's input.
package emf

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"sync"
	"time"
)

// Unit is a CloudWatch metric unit.
type Unit string

// The units CloudWatch accepts.
const (
	Seconds         Unit = "Seconds"
	Microseconds    Unit = "Microseconds"
	Milliseconds    Unit = "Milliseconds"
	Bytes           Unit = "Bytes"
	Kilobytes       Unit = "Kilobytes"
	Megabytes       Unit = "Megabytes"
	Gigabytes       Unit = "Gigabytes"
	Terabytes       Unit = "Terabytes"
	Bits            Unit = "Bits"
	Kilobits        Unit = "Kilobits"
	Megabits        Unit = "Megabits"
	Gigabits        Unit = "Gigabits"
	Terabits        Unit = "Terabits"
	Percent         Unit = "Percent"
	Count           Unit = "Count"
	BytesPerSecond  Unit = "Bytes/Second"
	KilobytesPerSec Unit = "Kilobytes/Second"
	MegabytesPerSec Unit = "Megabytes/Second"
	GigabytesPerSec Unit = "Gigabytes/Second"
	TerabytesPerSec Unit = "Terabytes/Second"
	BitsPerSecond   Unit = "Bits/Second"
	KilobitsPerSec  Unit = "Kilobits/Second"
	MegabitsPerSec  Unit = "Megabits/Second"
	GigabitsPerSec  Unit = "Gigabits/Second"
	TerabitsPerSec  Unit = "Terabits/Second"
	CountPerSecond  Unit = "Count/Second"
	None            Unit = "None"
)

var units = map[Unit]bool{
	Seconds: true, Microseconds: true, Milliseconds: true, Bytes: true, Kilobytes: true,
	Megabytes: true, Gigabytes: true, Terabytes: true, Bits: true, Kilobits: true, Megabits: true,
	Gigabits: true, Terabits: true, Percent: true, Count: true, BytesPerSecond: true,
	KilobytesPerSec: true, MegabytesPerSec: true, GigabytesPerSec: true, TerabytesPerSec: true,
	BitsPerSecond: true, KilobitsPerSec: true, MegabitsPerSec: true, GigabitsPerSec: true,
	TerabitsPerSec: true, CountPerSecond: true, None: true,
}

// Limits of the format (CloudWatch drops a line that exceeds them).
const (
	MaxDimensions = 30  // per dimension set
	MaxMetrics    = 100 // per line
	MaxValues     = 100 // per metric, when it carries several (Metric.Values)
	maxNameLen    = 255 // namespace, dimension and metric names
	maxValueLen   = 1024
)

// ErrInvalid is wrapped by every error Line returns: the line would not
// become a metric. The message says which rule it breaks.
var ErrInvalid = errors.New("emf: invalid metric line")

// Dimension is a name and its value.
type Dimension struct{ Name, Value string }

// Metric is one value, or several; Unit empty means None.
type Metric struct {
	Name  string
	Unit  Unit
	Value float64
	// Values, when not nil, replaces Value: 1 to MaxValues samples in one
	// line, each counted by CloudWatch as if written alone (SampleCount,
	// Average, Maximum and percentiles see every one).
	Values []float64
}

// Line is one EMF line (ending in a newline) in namespace at time at, with
// one dimension set made of dims, or an error wrapping ErrInvalid.
func Line(namespace string, at time.Time, dims []Dimension, metrics ...Metric) ([]byte, error) {
	if namespace == "" || len(namespace) > maxNameLen {
		return nil, fmt.Errorf("%w: the namespace must have 1 to %d characters", ErrInvalid, maxNameLen)
	}
	if len(dims) > MaxDimensions {
		return nil, fmt.Errorf("%w: %d dimensions, at most %d in a set", ErrInvalid, len(dims), MaxDimensions)
	}
	if len(metrics) == 0 || len(metrics) > MaxMetrics {
		return nil, fmt.Errorf("%w: %d metrics, want 1 to %d", ErrInvalid, len(metrics), MaxMetrics)
	}
	top := make(map[string]any, 1+len(dims)+len(metrics))
	names := make([]string, 0, len(dims))
	for _, d := range dims {
		if err := checkName("dimension", d.Name, top); err != nil {
			return nil, err
		}
		if d.Value == "" || len(d.Value) > maxValueLen {
			return nil, fmt.Errorf("%w: dimension %s: its value must have 1 to %d characters", ErrInvalid, d.Name, maxValueLen)
		}
		top[d.Name] = d.Value
		names = append(names, d.Name)
	}
	type metricDef struct{ Name, Unit string }
	defs := make([]metricDef, 0, len(metrics))
	for _, m := range metrics {
		if err := checkName("metric", m.Name, top); err != nil {
			return nil, err
		}
		unit := m.Unit
		if unit == "" {
			unit = None
		}
		if !units[unit] {
			return nil, fmt.Errorf("%w: metric %s: unit %q is not a CloudWatch unit", ErrInvalid, m.Name, unit)
		}
		value, err := m.value()
		if err != nil {
			return nil, err
		}
		top[m.Name] = value
		defs = append(defs, metricDef{m.Name, string(unit)})
	}
	top["_aws"] = map[string]any{
		"Timestamp": at.UnixMilli(),
		"CloudWatchMetrics": []any{map[string]any{
			"Namespace":  namespace,
			"Dimensions": [][]string{names},
			"Metrics":    defs,
		}},
	}
	b, err := json.Marshal(top)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	return append(b, '\n'), nil
}

// value is what the line carries for m: its number, or its array of numbers.
func (m Metric) value() (any, error) {
	if m.Values == nil {
		return m.Value, checkFinite(m.Name, m.Value)
	}
	if len(m.Values) == 0 || len(m.Values) > MaxValues {
		return nil, fmt.Errorf("%w: metric %s: %d values, want 1 to %d", ErrInvalid, m.Name, len(m.Values), MaxValues)
	}
	for _, v := range m.Values {
		if err := checkFinite(m.Name, v); err != nil {
			return nil, err
		}
	}
	return m.Values, nil
}

func checkFinite(name string, v float64) error {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return fmt.Errorf("%w: metric %s: value %v is not a finite number", ErrInvalid, name, v)
	}
	return nil
}

// checkName checks a dimension or metric name, unique in the line.
func checkName(kind, name string, taken map[string]any) error {
	switch {
	case name == "" || len(name) > maxNameLen:
		return fmt.Errorf("%w: a %s name must have 1 to %d characters", ErrInvalid, kind, maxNameLen)
	case name == "_aws":
		return fmt.Errorf("%w: %q is the format's own key, not a %s name", ErrInvalid, name, kind)
	case taken[name] != nil:
		return fmt.Errorf("%w: %s name %q is used twice in the line", ErrInvalid, kind, name)
	}
	return nil
}

// Writer writes EMF lines to one io.Writer (a function's stdout), each
// with the Writer's dimensions first. Safe for concurrent use.
type Writer struct {
	mu        sync.Mutex
	w         io.Writer
	namespace string
	dims      []Dimension
	now       func() time.Time
}

// NewWriter writes lines in namespace to w, each with dims.
func NewWriter(w io.Writer, namespace string, dims ...Dimension) *Writer {
	return &Writer{w: w, namespace: namespace, dims: dims, now: time.Now}
}

// Emit writes one line: the Writer's dimensions, then dims, and metrics.
// A nil Writer emits nothing.
func (w *Writer) Emit(dims []Dimension, metrics ...Metric) error {
	if w == nil {
		return nil
	}
	line, err := Line(w.namespace, w.now(), append(w.dims[:len(w.dims):len(w.dims)], dims...), metrics...)
	if err != nil {
		return err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	_, err = w.w.Write(line)
	return err
}
