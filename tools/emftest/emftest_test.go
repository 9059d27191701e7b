package emftest

import (
	"fmt"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// recorder is a testing.TB that keeps what Check reports.
type recorder struct {
	testing.TB
	failures []string
}

func (r *recorder) Helper() {}

func (r *recorder) Errorf(format string, args ...any) {
	r.failures = append(r.failures, fmt.Sprintf(format, args...))
}

func (r *recorder) Fatalf(format string, args ...any) {
	r.Errorf(format, args...)
	runtime.Goexit()
}

// check runs Check in its own goroutine, as Fatalf ends it.
func check(t *testing.T, line string) []string {
	r := &recorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		Check(r, []byte(line))
	}()
	<-done
	return r.failures
}

// The specification's own example passes; each broken rule is reported.
func TestCheck(t *testing.T) {
	const example = `{"_aws":{"Timestamp":1574109732004,"CloudWatchMetrics":[{"Namespace":"lambda-function-metrics",` +
		`"Dimensions":[["functionVersion"]],"Metrics":[{"Name":"time","Unit":"Milliseconds"}]}]},` +
		`"functionVersion":"$LATEST","time":100,"requestId":"989ffbf8-9ace-4817-a57c-e4dd734019ee"}` + "\n"
	if f := check(t, example); len(f) != 0 {
		t.Fatalf("the specification's example: %q", f)
	}
	for _, tc := range []struct{ name, from, to, want string }{
		{"two lines", `"time":100`, "\"time\":100\n", "not one line"},
		{"text after", "}\n", "} x\n", "data after"},
		{"no _aws", `"_aws"`, `"aws"`, "no _aws"},
		{"seconds", `1574109732004`, `1574109732.004`, "integer milliseconds"},
		{"no namespace", `"Namespace":"lambda-function-metrics",`, ``, "Namespace"},
		{"no dimension set", `[["functionVersion"]]`, `[]`, "no dimension set"},
		{"a dimension without value", `"functionVersion":"$LATEST",`, ``, "dimension functionVersion"},
		{"a number as dimension value", `"$LATEST"`, `1`, "dimension functionVersion"},
		{"a metric without value", `"time":100,`, ``, `metric "time"`},
		{"a string as metric value", `"time":100`, `"time":"100"`, `metric "time"`},
		{"an empty array", `"time":100`, `"time":[]`, `metric "time"`},
		{"a made-up unit", `"Milliseconds"`, `"Requests"`, "not a CloudWatch unit"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := check(t, strings.Replace(example, tc.from, tc.to, 1))
			if len(f) == 0 || !strings.Contains(strings.Join(f, "; "), tc.want) {
				t.Errorf("failures %q, want one saying %q", f, tc.want)
			}
		})
	}
	array := strings.Replace(example, `"time":100`, `"time":[100,5]`, 1)
	if f := check(t, array); len(f) != 0 {
		t.Errorf("an array of values: %q", f)
	}
	if f := check(t, strings.Replace(example, `"time":100`, `"time":[`+strings.Repeat("1,", 100)+`1]`, 1)); len(f) == 0 {
		t.Error("101 values passed")
	}
}

func TestSummaries(t *testing.T) {
	out := `{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"n","Dimensions":[["FunctionName","Endpoint"]],` +
		`"Metrics":[{"Name":"B","Unit":"Count"},{"Name":"A"}]}]},"FunctionName":"f","Endpoint":"e","A":[1,2],"B":3}` + "\n" +
		`{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"n","Dimensions":[[]],"Metrics":[{"Name":"C"}]}]},"C":0.5}` + "\n"
	got := Summaries(t, []byte(out))
	if want := []string{"FunctionName=f Endpoint=e A=[1 2] B=3", "C=0.5"}; !slices.Equal(got, want) {
		t.Errorf("Summaries %q, want %q", got, want)
	}
}
