package samcheck

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// functionGraphs is what the dashboard shows of every function, a fork's
// included: "namespace metric statistic", "by" the dimensions a SEARCH
// breaks it down by.
var functionGraphs = []string{
	"AWS/Lambda Invocations Sum",
	"AWS/Lambda Errors Sum",
	"AWS/Lambda Throttles Sum",
	"AWS/Lambda Duration p50",
	"AWS/Lambda Duration p99",
	"faas-grip ColdStart Sum",
	"faas-grip ColdStartSetup p99",
	"faas-grip GripSigRefused Sum by Reason",
}

// sampleGraphs are the metrics a sample writes beyond the edge's, shown
// while the sample is in the template.
var sampleGraphs = map[string][]string{
	"ChatFunction": {
		"faas-grip ChatConnectionsOpened Sum", "faas-grip ChatConnectionsClosed Sum",
		"faas-grip MessagesPublished Sum", "faas-grip RateLimited Sum",
	},
	"PublishFunction": {
		"faas-grip MessagesPublished Sum", "faas-grip ItemsPerPublish Average", "faas-grip ItemsPerPublish Maximum",
		"faas-grip DeliveriesFailed Sum", "faas-grip DeliveriesFailed Sum by Endpoint",
	},
}

// stackGraphs are the graphs of the HTTP API and the queues, by the
// resource their dimension names (a GetAtt as Resource.Attribute).
var stackGraphs = map[string][]string{
	"ServerlessHttpApi":                {"AWS/ApiGateway 4xx Sum", "AWS/ApiGateway 5xx Sum", "AWS/ApiGateway Latency p50", "AWS/ApiGateway Latency p99"},
	"PublishQueue.QueueName":           {"AWS/SQS ApproximateNumberOfMessagesVisible Maximum", "AWS/SQS ApproximateAgeOfOldestMessage Maximum"},
	"PublishDeadLetterQueue.QueueName": {"AWS/SQS ApproximateNumberOfMessagesVisible Maximum"},
}

// TestDashboard checks the CloudWatch dashboard CloudFormation receives:
// its body, once Fn::Sub has substituted this stack's names and region, is
// JSON CloudWatch can read; every name it substitutes exists; each function
// of template.yaml (a fork's included) has its graphs, the samples their own
// metrics, the HTTP API and the queues theirs. And the rule README's fork
// and delete steps rely on: a line names at most one function, and
// removing a function's lines, or copying them for a fork, leaves the body
// valid.
func TestDashboard(t *testing.T) {
	cfn := translate(t)
	tmpl, err := LoadTemplate()
	if err != nil {
		t.Fatal(err)
	}
	body := dashboardBody(t, cfn)
	graphs, err := dashboardGraphs(cfn, body)
	if err != nil {
		t.Fatal(err)
	}

	var functions []string
	for _, fn := range tmpl.Functions {
		functions = append(functions, fn.LogicalID)
		want := append(slices.Clone(functionGraphs), sampleGraphs[fn.LogicalID]...)
		if missing := without(want, graphs[fn.LogicalID]); len(missing) > 0 {
			t.Errorf("%s has no graph of %s in the dashboard: give it the row of the sample it was forked from (README, Fork a function)", fn.LogicalID, strings.Join(missing, ", "))
		}
	}
	for target, want := range stackGraphs {
		if missing := without(want, graphs[target]); len(missing) > 0 {
			t.Errorf("the dashboard has no graph of %s for %s", strings.Join(missing, ", "), target)
		}
	}

	for n, line := range strings.Split(body, "\n") {
		if named := namedFunctions(line, functions); len(named) > 1 {
			t.Errorf("dashboard body, line %d names %v: one function per line, so that a fork or a deletion is a line's copy or removal", n+1, named)
		}
	}
	for _, fn := range functions {
		var kept, forked []string
		for _, line := range strings.Split(body, "\n") {
			if !slices.Contains(namedFunctions(line, functions), fn) {
				kept = append(kept, line)
				forked = append(forked, line)
				continue
			}
			forked = append(forked, line, strings.ReplaceAll(line, fn, "MyfeatureFunction"))
		}
		if _, err := dashboardGraphs(cfn, strings.Join(kept, "\n")); err != nil {
			t.Errorf("without the lines naming %s (README: deleting a sample): %v", fn, err)
		}
		if _, err := dashboardGraphs(cfn, strings.Join(forked, "\n")); err != nil && !strings.Contains(err.Error(), "MyfeatureFunction") {
			t.Errorf("with %s's lines copied for a fork: %v", fn, err)
		}
	}
}

// dashboardBody is the Fn::Sub text of the template's one dashboard.
func dashboardBody(t *testing.T, cfn *cfnTemplate) string {
	t.Helper()
	var bodies []string
	for _, r := range cfn.Resources {
		if r.Type == "AWS::CloudWatch::Dashboard" {
			s, ok := r.Properties["DashboardBody"].(map[string]any)["Fn::Sub"].(string)
			if !ok {
				t.Fatalf("DashboardBody %s: want !Sub with the body's text", describe(r.Properties["DashboardBody"]))
			}
			bodies = append(bodies, s)
		}
	}
	if len(bodies) != 1 {
		t.Fatalf("%d dashboards in the translation, want 1", len(bodies))
	}
	return bodies[0]
}

// dashboardGraphs substitutes the body as Fn::Sub does (a resource or a
// parameter by its name, a GetAtt as Resource.Attribute, AWS::Region as
// itself), parses it as CloudWatch does, and returns the graphs of each
// dimension value: "namespace metric statistic", with " by Dim" for a
// SEARCH that breaks a metric down by a dimension beyond FunctionName.
func dashboardGraphs(cfn *cfnTemplate, body string) (map[string][]string, error) {
	var unknown []string
	text := regexp.MustCompile(`\$\{([A-Za-z0-9:]+)(\.[A-Za-z]+)?\}`).ReplaceAllStringFunc(body, func(m string) string {
		name := strings.Trim(m, "${}")
		ref, _, _ := strings.Cut(name, ".")
		_, isRes := cfn.Resources[ref]
		_, isParam := cfn.Parameters[ref]
		if !isRes && !isParam && !strings.HasPrefix(ref, "AWS::") {
			unknown = append(unknown, name)
		}
		return name
	})
	if len(unknown) > 0 {
		return nil, fmt.Errorf("the body substitutes %v, which the translated template does not have", unknown)
	}
	var dash struct {
		Widgets []struct {
			Type       string `json:"type"`
			Properties struct {
				Region  string  `json:"region"`
				Stat    string  `json:"stat"`
				Metrics [][]any `json:"metrics"`
			} `json:"properties"`
		} `json:"widgets"`
	}
	if err := json.Unmarshal([]byte(text), &dash); err != nil {
		return nil, fmt.Errorf("the body is not JSON once substituted: %v", err)
	}
	if len(dash.Widgets) == 0 {
		return nil, fmt.Errorf("the body has no widgets")
	}
	graphs := map[string][]string{}
	search := regexp.MustCompile(`^SEARCH\('\{"?([^",]+)"?,([^}]+)\} MetricName="([^"]+)" FunctionName="([^"]+)"', '(\w+)', \d+\)$`)
	for i, w := range dash.Widgets {
		if w.Type != "metric" {
			continue
		}
		if w.Properties.Region != "AWS::Region" {
			return nil, fmt.Errorf("widget %d: region %q, want the stack's (${AWS::Region})", i, w.Properties.Region)
		}
		for _, m := range w.Properties.Metrics {
			if len(m) == 0 {
				return nil, fmt.Errorf("widget %d: an empty metric", i)
			}
			opts, _ := m[len(m)-1].(map[string]any)
			if expr, ok := opts["expression"].(string); ok {
				s := search.FindStringSubmatch(expr)
				if s == nil {
					return nil, fmt.Errorf("widget %d: expression %q: want SEARCH('{namespace,dims} MetricName=\"...\" FunctionName=\"...\"', 'stat', period)", i, expr)
				}
				dims := slices.DeleteFunc(strings.Split(s[2], ","), func(d string) bool { return d == "FunctionName" })
				graphs[s[4]] = append(graphs[s[4]], s[1]+" "+s[3]+" "+s[5]+" by "+strings.Join(dims, ","))
				continue
			}
			stat := w.Properties.Stat
			if s, ok := opts["stat"].(string); ok {
				stat = s
			}
			if opts != nil {
				m = m[:len(m)-1]
			}
			if len(m) < 4 || len(m)%2 != 0 {
				return nil, fmt.Errorf("widget %d: metric %v: want namespace, name and dimension pairs", i, m)
			}
			for d := 3; d < len(m); d += 2 {
				graphs[fmt.Sprint(m[d])] = append(graphs[fmt.Sprint(m[d])], fmt.Sprint(m[0], " ", m[1], " ", stat))
			}
		}
	}
	return graphs, nil
}

// namedFunctions are the functions a line of the body substitutes.
func namedFunctions(line string, functions []string) []string {
	var named []string
	for _, fn := range functions {
		if strings.Contains(line, "${"+fn+"}") {
			named = append(named, fn)
		}
	}
	return named
}

// without is want less what have holds.
func without(want, have []string) []string {
	has := map[string]bool{}
	for _, h := range have {
		has[h] = true
	}
	return slices.DeleteFunc(slices.Clone(want), func(w string) bool { return has[w] })
}
