// Package emftest checks CloudWatch Embedded Metric Format lines as
// CloudWatch reads them, by the rules of the format's specification (AWS
// CloudWatch User Guide, "Specification: Embedded metric format"), written
// here independently of package emf so that a test of emf or of a function
// does not judge the writer by itself.
package emftest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// units are the specification's MetricDefinition units.
var units = map[string]bool{}

func init() {
	for _, u := range strings.Fields("Seconds Microseconds Milliseconds Bytes Kilobytes Megabytes Gigabytes Terabytes " +
		"Bits Kilobits Megabits Gigabits Terabits Percent Count Bytes/Second Kilobytes/Second Megabytes/Second " +
		"Gigabytes/Second Terabytes/Second Bits/Second Kilobits/Second Megabits/Second Gigabits/Second " +
		"Terabits/Second Count/Second None") {
		units[u] = true
	}
}

// The specification's limits (dimension values: the CloudWatch API's).
const (
	maxDimensions  = 30
	maxDefinitions = 100
	maxArray       = 100
	maxName        = 255
	maxDimValue    = 1024
)

// Check checks one line (ending in its newline) and returns its root node,
// numbers as json.Number:
//   - one JSON object on one line, nothing before or after it;
//   - _aws.Timestamp an integer (milliseconds since the epoch) and
//     _aws.CloudWatchMetrics at least one directive;
//   - each directive a Namespace of 1 to 255 characters, at least one
//     dimension set of at most 30 names, each a root member whose value
//     is a string of 1 to 1024 characters, and 1 to 100 metric
//     definitions, each naming a root member that is a number or an array
//     of 1 to 100 numbers, with a CloudWatch unit when it has one.
func Check(t testing.TB, line []byte) map[string]any {
	t.Helper()
	if !bytes.HasSuffix(line, []byte("\n")) || bytes.Count(line, []byte("\n")) != 1 {
		t.Fatalf("not one line: %q", line)
	}
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	var root map[string]any
	if err := dec.Decode(&root); err != nil {
		t.Fatalf("not a JSON object: %v: %s", err, line)
	}
	if dec.More() {
		t.Fatalf("data after the object: %s", line)
	}
	aws, ok := root["_aws"].(map[string]any)
	if !ok {
		t.Fatalf("no _aws object: %s", line)
	}
	if ts, _ := aws["Timestamp"].(json.Number); !isInteger(ts) {
		t.Errorf("_aws.Timestamp %v: want integer milliseconds", aws["Timestamp"])
	}
	directives, _ := aws["CloudWatchMetrics"].([]any)
	if len(directives) == 0 {
		t.Fatalf("no CloudWatchMetrics directive: %s", line)
	}
	for _, d := range directives {
		d, _ := d.(map[string]any)
		if ns, _ := d["Namespace"].(string); ns == "" || len(ns) > maxName {
			t.Errorf("directive %v: want a Namespace of 1 to %d characters", d, maxName)
		}
		sets, _ := d["Dimensions"].([]any)
		if len(sets) == 0 {
			t.Errorf("directive %v: no dimension set", d)
		}
		for _, set := range sets {
			names, ok := set.([]any)
			if !ok || len(names) > maxDimensions {
				t.Errorf("dimension set %v: want an array of at most %d names", set, maxDimensions)
			}
			for _, n := range names {
				name, _ := n.(string)
				if v, ok := root[name].(string); name == "" || len(name) > maxName || !ok || v == "" || len(v) > maxDimValue {
					t.Errorf("dimension %v: want a name of 1 to %d characters and a string value of 1 to %d at the root", n, maxName, maxDimValue)
				}
			}
		}
		defs, _ := d["Metrics"].([]any)
		if len(defs) == 0 || len(defs) > maxDefinitions {
			t.Errorf("directive %v: %d metric definitions, want 1 to %d", d, len(defs), maxDefinitions)
		}
		for _, m := range defs {
			m, _ := m.(map[string]any)
			name, _ := m["Name"].(string)
			if name == "" || len(name) > maxName || !isMetricValue(root[name]) {
				t.Errorf("metric %q: want a name of 1 to %d characters and, at the root, a number or 1 to %d numbers", name, maxName, maxArray)
			}
			if unit, set := m["Unit"]; set && !units[fmt.Sprint(unit)] {
				t.Errorf("metric %q: unit %v is not a CloudWatch unit", name, unit)
			}
		}
	}
	return root
}

// Lines checks every line of out (a function's stdout in a test) with
// Check and returns their root nodes.
func Lines(t testing.TB, out []byte) []map[string]any {
	t.Helper()
	var roots []map[string]any
	for line := range bytes.Lines(out) {
		roots = append(roots, Check(t, line))
	}
	return roots
}

// Summaries checks every line of out with Check and returns each as one
// string a test can compare: its dimensions as name=value, in the order of
// their set, then its metrics as name=value, sorted (an array of values as
// [a b]). For example "FunctionName=chat MessagesPublished=1".
func Summaries(t testing.TB, out []byte) []string {
	t.Helper()
	var summaries []string
	for _, root := range Lines(t, out) {
		var dims, metrics []string
		for _, d := range root["_aws"].(map[string]any)["CloudWatchMetrics"].([]any) {
			d := d.(map[string]any)
			for _, set := range d["Dimensions"].([]any) {
				for _, n := range set.([]any) {
					if field := fmt.Sprintf("%v=%v", n, root[n.(string)]); !slices.Contains(dims, field) {
						dims = append(dims, field)
					}
				}
			}
			for _, m := range d["Metrics"].([]any) {
				name := m.(map[string]any)["Name"].(string)
				metrics = append(metrics, fmt.Sprintf("%s=%v", name, root[name]))
			}
		}
		slices.Sort(metrics)
		summaries = append(summaries, strings.Join(append(dims, metrics...), " "))
	}
	return summaries
}

func isInteger(n json.Number) bool {
	_, err := n.Int64()
	return err == nil
}

func isMetricValue(v any) bool {
	switch v := v.(type) {
	case json.Number:
		return true
	case []any:
		if len(v) == 0 || len(v) > maxArray {
			return false
		}
		for _, x := range v {
			if _, ok := x.(json.Number); !ok {
				return false
			}
		}
		return true
	}
	return false
}
