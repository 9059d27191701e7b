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
	"slices"
	"strconv"
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
	return appendLine(nil, namespace, at, dims, metrics)
}

// appendLine appends Line's line to dst. It writes the JSON itself, in a
// fixed order: encoding/json's maps cost several times the rest of a chat
// message's invocation.
func appendLine(dst []byte, namespace string, at time.Time, dims []Dimension, metrics []Metric) ([]byte, error) {
	if err := check(namespace, dims, metrics); err != nil {
		return dst, err
	}
	b := append(dst, `{"_aws":{"Timestamp":`...)
	b = strconv.AppendInt(b, at.UnixMilli(), 10)
	b = append(b, `,"CloudWatchMetrics":[{"Namespace":`...)
	b = appendString(b, namespace)
	b = append(b, `,"Dimensions":[[`...)
	for i, d := range dims {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, d.Name)
	}
	b = append(b, `]],"Metrics":[`...)
	for i, m := range metrics {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"Name":`...)
		b = appendString(b, m.Name)
		b = append(b, `,"Unit":`...)
		b = appendString(b, string(m.unit()))
		b = append(b, '}')
	}
	b = append(b, "]}]}"...)
	for _, d := range dims {
		b = append(b, ',')
		b = appendString(b, d.Name)
		b = append(b, ':')
		b = appendString(b, d.Value)
	}
	for _, m := range metrics {
		b = append(b, ',')
		b = appendString(b, m.Name)
		b = append(b, ':')
		if m.Values == nil {
			b = appendNumber(b, m.Value)
			continue
		}
		b = append(b, '[')
		for i, v := range m.Values {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendNumber(b, v)
		}
		b = append(b, ']')
	}
	return append(b, "}\n"...), nil
}

// check applies the format's rules to a line's parts.
func check(namespace string, dims []Dimension, metrics []Metric) error {
	if namespace == "" || len(namespace) > maxNameLen {
		return fmt.Errorf("%w: the namespace must have 1 to %d characters", ErrInvalid, maxNameLen)
	}
	if len(dims) > MaxDimensions {
		return fmt.Errorf("%w: %d dimensions, at most %d in a set", ErrInvalid, len(dims), MaxDimensions)
	}
	if len(metrics) == 0 || len(metrics) > MaxMetrics {
		return fmt.Errorf("%w: %d metrics, want 1 to %d", ErrInvalid, len(metrics), MaxMetrics)
	}
	for i, d := range dims {
		if err := checkName("dimension", d.Name, dims[:i], nil); err != nil {
			return err
		}
		if d.Value == "" || len(d.Value) > maxValueLen {
			return fmt.Errorf("%w: dimension %s: its value must have 1 to %d characters", ErrInvalid, d.Name, maxValueLen)
		}
	}
	for i, m := range metrics {
		if err := checkName("metric", m.Name, dims, metrics[:i]); err != nil {
			return err
		}
		if !units[m.unit()] {
			return fmt.Errorf("%w: metric %s: unit %q is not a CloudWatch unit", ErrInvalid, m.Name, m.unit())
		}
		if err := m.checkValues(); err != nil {
			return err
		}
	}
	return nil
}

func (m Metric) unit() Unit {
	if m.Unit == "" {
		return None
	}
	return m.Unit
}

// checkValues checks m's number, or its array of numbers.
func (m Metric) checkValues() error {
	if m.Values == nil {
		return checkFinite(m.Name, m.Value)
	}
	if len(m.Values) == 0 || len(m.Values) > MaxValues {
		return fmt.Errorf("%w: metric %s: %d values, want 1 to %d", ErrInvalid, m.Name, len(m.Values), MaxValues)
	}
	for _, v := range m.Values {
		if err := checkFinite(m.Name, v); err != nil {
			return err
		}
	}
	return nil
}

func checkFinite(name string, v float64) error {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return fmt.Errorf("%w: metric %s: value %v is not a finite number", ErrInvalid, name, v)
	}
	return nil
}

// checkName checks a dimension or metric name, unique in the line: not one
// of the dimensions or metrics before it.
func checkName(kind, name string, dims []Dimension, metrics []Metric) error {
	switch {
	case name == "" || len(name) > maxNameLen:
		return fmt.Errorf("%w: a %s name must have 1 to %d characters", ErrInvalid, kind, maxNameLen)
	case name == "_aws":
		return fmt.Errorf("%w: %q is the format's own key, not a %s name", ErrInvalid, name, kind)
	case slices.ContainsFunc(dims, func(d Dimension) bool { return d.Name == name }),
		slices.ContainsFunc(metrics, func(m Metric) bool { return m.Name == name }):
		return fmt.Errorf("%w: %s name %q is used twice in the line", ErrInvalid, kind, name)
	}
	return nil
}

// appendString appends s as a JSON string: as it is when it needs no
// escape (names and values usually), through encoding/json otherwise.
func appendString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			quoted, _ := json.Marshal(s) // a string always encodes
			return append(b, quoted...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// appendNumber appends a finite v as encoding/json would: plain digits
// from 1e-6 to 1e21, an exponent outside.
func appendNumber(b []byte, v float64) []byte {
	if a := math.Abs(v); a != 0 && (a < 1e-6 || a >= 1e21) {
		return strconv.AppendFloat(b, v, 'e', -1, 64)
	}
	return strconv.AppendFloat(b, v, 'f', -1, 64)
}

// Writer writes EMF lines to one io.Writer (a function's stdout), each
// with the Writer's dimensions first. Safe for concurrent use.
type Writer struct {
	mu        sync.Mutex
	w         io.Writer
	namespace string
	dims      []Dimension
	now       func() time.Time
	buf       []byte // the last line, reused
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
	at := w.now()
	w.mu.Lock()
	defer w.mu.Unlock()
	line, err := appendLine(w.buf[:0], w.namespace, at, append(w.dims[:len(w.dims):len(w.dims)], dims...), metrics)
	if err != nil {
		return err
	}
	w.buf = line // kept for the next line: a line costs no allocation once the buffer is grown
	_, err = w.w.Write(line)
	return err
}
