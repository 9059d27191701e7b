package emf

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"
)

// checkFormat checks one line against the format's rules, as CloudWatch
// reads it: one JSON object on one line; _aws.Timestamp an integer of
// milliseconds; each directive a namespace, dimension sets of at most 30
// names, each a string at the top level, and metrics with a CloudWatch unit
// whose values are numbers at the top level.
func checkFormat(t *testing.T, line []byte) map[string]any {
	t.Helper()
	if !bytes.HasSuffix(line, []byte("\n")) || bytes.Count(line, []byte("\n")) != 1 {
		t.Fatalf("not one line: %q", line)
	}
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	var top map[string]any
	if err := dec.Decode(&top); err != nil {
		t.Fatalf("not a JSON object: %v: %s", err, line)
	}
	aws, _ := top["_aws"].(map[string]any)
	ts, _ := aws["Timestamp"].(json.Number)
	if _, err := ts.Int64(); err != nil {
		t.Errorf("_aws.Timestamp %v: want integer milliseconds", aws["Timestamp"])
	}
	directives, _ := aws["CloudWatchMetrics"].([]any)
	if len(directives) == 0 {
		t.Fatalf("no CloudWatchMetrics directive: %s", line)
	}
	for _, d := range directives {
		d, _ := d.(map[string]any)
		if ns, _ := d["Namespace"].(string); ns == "" {
			t.Errorf("directive %v: no Namespace", d)
		}
		sets, _ := d["Dimensions"].([]any)
		for _, set := range sets {
			names, _ := set.([]any)
			if len(names) > 30 {
				t.Errorf("a dimension set of %d names (at most 30)", len(names))
			}
			for _, n := range names {
				if _, ok := top[fmt.Sprint(n)].(string); !ok {
					t.Errorf("dimension %v: no string value at the top level", n)
				}
			}
		}
		metrics, _ := d["Metrics"].([]any)
		if len(metrics) == 0 {
			t.Errorf("directive %v: no metric", d)
		}
		for _, m := range metrics {
			m, _ := m.(map[string]any)
			name, _ := m["Name"].(string)
			if _, ok := top[name].(json.Number); !ok {
				t.Errorf("metric %q: no number at the top level", name)
			}
			if unit, _ := m["Unit"].(string); !units[Unit(unit)] {
				t.Errorf("metric %q: unit %q is not a CloudWatch unit", name, unit)
			}
		}
	}
	return top
}

func TestLineFollowsTheFormat(t *testing.T) {
	at := time.Date(2026, 12, 2, 10, 0, 0, 123456789, time.UTC)
	line, err := Line("faas-grip", at, []Dimension{{"FunctionName", "chat"}, {"Reason", "expired"}},
		Metric{Name: "GripSigRefused", Unit: Count, Value: 1}, Metric{Name: "Setup", Unit: Milliseconds, Value: 12.5}, Metric{Name: "Plain", Value: 3})
	if err != nil {
		t.Fatal(err)
	}
	top := checkFormat(t, line)
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
	checkFormat(t, line)
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
	first, second := checkFormat(t, []byte(lines[0])), checkFormat(t, []byte(lines[1]))
	if first["FunctionName"] != "stream" || first["Reason"] != "missing" || second["FunctionName"] != "stream" || second["Reason"] != nil {
		t.Errorf("lines %q", buf.String())
	}
	var none *Writer
	if err := none.Emit(nil, Metric{Name: "X", Value: 1}); err != nil {
		t.Errorf("a nil Writer: %v", err)
	}
}
