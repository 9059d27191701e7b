package emf

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/faas-grip/faas-grip-go/tools/emftest"
)

func TestLineFollowsTheFormat(t *testing.T) {
	at := time.Date(2026, 12, 2, 10, 0, 0, 123456789, time.UTC)
	line, err := Line("faas-grip", at, []Dimension{{"FunctionName", "chat"}, {"Reason", "expired"}},
		Metric{Name: "GripSigRefused", Unit: Count, Value: 1}, Metric{Name: "Setup", Unit: Milliseconds, Value: 12.5}, Metric{Name: "Plain", Value: 3})
	if err != nil {
		t.Fatal(err)
	}
	top := emftest.Check(t, line)
	if got := top["_aws"].(map[string]any)["Timestamp"].(json.Number).String(); got != fmt.Sprint(at.UnixMilli()) {
		t.Errorf("Timestamp %s, want %d", got, at.UnixMilli())
	}
	if top["FunctionName"] != "chat" || top["Reason"] != "expired" || top["Setup"].(json.Number).String() != "12.5" {
		t.Errorf("top level %v", top)
	}
	if !strings.Contains(string(line), `"Dimensions":[["FunctionName","Reason"]]`) || !strings.Contains(string(line), `{"Name":"Plain","Unit":"None"}`) {
		t.Errorf("directive: %s", line)
	}
}

func TestLineRefusesWhatCloudWatchWouldDrop(t *testing.T) {
	thirtyOne := make([]Dimension, 31)
	for i := range thirtyOne {
		thirtyOne[i] = Dimension{fmt.Sprintf("D%d", i), "v"}
	}
	one := Metric{Name: "M", Unit: Count, Value: 1}
	for _, tc := range []struct {
		name      string
		namespace string
		dims      []Dimension
		metrics   []Metric
		want      string
	}{
		{"no namespace", "", nil, []Metric{one}, "namespace"},
		{"31 dimensions", "ns", thirtyOne, []Metric{one}, "31 dimensions"},
		{"no metric", "ns", nil, nil, "0 metrics"},
		{"unknown unit", "ns", nil, []Metric{{Name: "M", Unit: "Requests", Value: 1}}, "not a CloudWatch unit"},
		{"NaN", "ns", nil, []Metric{{Name: "M", Unit: Count, Value: math.NaN()}}, "finite"},
		{"infinity", "ns", nil, []Metric{{Name: "M", Unit: Count, Value: math.Inf(1)}}, "finite"},
		{"empty dimension value", "ns", []Dimension{{"Reason", ""}}, []Metric{one}, "value"},
		{"a metric named as a dimension", "ns", []Dimension{{"M", "x"}}, []Metric{one}, "used twice"},
		{"_aws", "ns", []Dimension{{"_aws", "x"}}, []Metric{one}, "format's own key"},
		{"no values", "ns", nil, []Metric{{Name: "M", Values: []float64{}}}, "0 values"},
		{"101 values", "ns", nil, []Metric{{Name: "M", Values: make([]float64, 101)}}, "101 values"},
		{"a NaN among values", "ns", nil, []Metric{{Name: "M", Values: []float64{1, math.NaN()}}}, "finite"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Line(tc.namespace, time.Now(), tc.dims, tc.metrics...)
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err %v, want ErrInvalid saying %q", err, tc.want)
			}
		})
	}
	thirty := thirtyOne[:30]
	line, err := Line("ns", time.Now(), thirty, one)
	if err != nil {
		t.Fatalf("30 dimensions: %v", err)
	}
	emftest.Check(t, line)
}

func TestWriterAddsItsDimensions(t *testing.T) {
	var buf bytes.Buffer
	w := NewWriter(&buf, "faas-grip", Dimension{"FunctionName", "stream"})
	if err := w.Emit([]Dimension{{"Reason", "missing"}}, Metric{Name: "GripSigRefused", Unit: Count, Value: 1}); err != nil {
		t.Fatal(err)
	}
	if err := w.Emit(nil, Metric{Name: "ColdStart", Unit: Count, Value: 1}); err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(buf.String(), "\n")
	if len(lines) != 3 || lines[2] != "" {
		t.Fatalf("want two lines, got %q", buf.String())
	}
	first, second := emftest.Check(t, []byte(lines[0])), emftest.Check(t, []byte(lines[1]))
	if first["FunctionName"] != "stream" || first["Reason"] != "missing" || second["FunctionName"] != "stream" || second["Reason"] != nil {
		t.Errorf("lines %q", buf.String())
	}
	var none *Writer
	if err := none.Emit(nil, Metric{Name: "X", Value: 1}); err != nil {
		t.Errorf("a nil Writer: %v", err)
	}
}

// Values put several samples of one metric in one line, as an array.
func TestLineWithValues(t *testing.T) {
	line, err := Line("faas-grip", time.Now(), []Dimension{{"FunctionName", "publish"}},
		Metric{Name: "MessagesPublished", Unit: Count, Value: 12}, Metric{Name: "ItemsPerPublish", Unit: Count, Values: []float64{10, 2}})
	if err != nil {
		t.Fatal(err)
	}
	top := emftest.Check(t, line)
	if got := fmt.Sprint(top["ItemsPerPublish"]); got != "[10 2]" {
		t.Errorf("ItemsPerPublish %s, want [10 2]: %s", got, line)
	}
	if _, err := Line("ns", time.Now(), nil, Metric{Name: "M", Values: make([]float64, MaxValues)}); err != nil {
		t.Errorf("%d values: %v", MaxValues, err)
	}
}

// Every unit Line accepts is one the specification lists.
func TestUnitsAreTheSpecifications(t *testing.T) {
	for u := range units {
		line, err := Line("ns", time.Now(), nil, Metric{Name: "M", Unit: u, Value: 1})
		if err != nil {
			t.Fatal(err)
		}
		emftest.Check(t, line)
	}
}

// Names and values that need escaping, and numbers of any size, decode to
// what was given.
func TestLineEncodesAnyStringAndNumber(t *testing.T) {
	odd := "quote \" backslash \\ tab \t nul \x00 é ✓ <&>"
	numbers := []float64{0, -0.5, 12.5, 1e21, 1.5e-7, -3e300, 1234567890123}
	line, err := Line("ns "+odd, time.Now(), []Dimension{{odd, odd}},
		Metric{Name: "M " + odd, Value: 7}, Metric{Name: "Many", Values: numbers})
	if err != nil {
		t.Fatal(err)
	}
	emftest.Check(t, line)
	var got map[string]any
	if err := json.Unmarshal(line, &got); err != nil {
		t.Fatal(err)
	}
	if got[odd] != odd || got["M "+odd] != 7.0 {
		t.Errorf("decoded %v", got)
	}
	if many, _ := got["Many"].([]any); fmt.Sprint(many) != fmt.Sprint(numbers) {
		t.Errorf("Many %v, want %v", many, numbers)
	}
	if ns := got["_aws"].(map[string]any)["CloudWatchMetrics"].([]any)[0].(map[string]any)["Namespace"]; ns != "ns "+odd {
		t.Errorf("Namespace %q", ns)
	}
}

// Once its buffer has grown, a Writer writes a line without allocating.
func TestWriterReusesItsBuffer(t *testing.T) {
	w := NewWriter(io.Discard, "faas-grip", Dimension{"FunctionName", "chat"})
	metrics := []Metric{{Name: "MessagesPublished", Unit: Count, Value: 1}}
	if n := testing.AllocsPerRun(100, func() { _ = w.Emit(nil, metrics...) }); n > 0 {
		t.Errorf("%v allocations per line", n)
	}
}

// BenchmarkEmit is the line a chat message's invocation writes
// (MessagesPublished), through a Writer to /dev/null with a write call, as
// to Lambda's stdout.
func BenchmarkEmit(b *testing.B) {
	devNull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { devNull.Close() })
	w := NewWriter(devNull, "faas-grip", Dimension{"FunctionName", "faas-grip-go-ChatFunction-1A2B3C4D5E6F"})
	b.ReportAllocs()
	for b.Loop() {
		if err := w.Emit(nil, Metric{Name: "MessagesPublished", Unit: Count, Value: 1}); err != nil {
			b.Fatal(err)
		}
	}
}
