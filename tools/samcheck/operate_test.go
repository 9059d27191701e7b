package samcheck

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestOperateQueriesNameRealFields checks README's Logs Insights queries
// (the text blocks of "Operate") against the code: each message they filter
// on is one the functions log, and each field they show or group by is a
// key some log call writes (or one lambdacontext, Lambda or Logs Insights
// adds). A renamed message or field fails here, not in production.
func TestOperateQueriesNameRealFields(t *testing.T) {
	blocks, err := readmeSteps(Root(), "Operate")
	if err != nil {
		t.Fatal(err)
	}
	src := logSources(t)
	// Without a deleted sample, its messages and fields are gone: README may
	// still name them (as its tables may name the sample).
	missing := t.Errorf
	for _, name := range sampleNames {
		if !samplePresent(t, Root(), name) {
			missing = t.Logf
		}
	}
	given := map[string]bool{"timestamp": true, "level": true, "message": true, "requestId": true, "type": true}
	quoted := regexp.MustCompile(`"([^"]+)"`)
	checked := 0
	for _, b := range blocks {
		if b.Lang != "text" {
			continue
		}
		checked++
		for _, line := range strings.Split(b.Text, "\n") {
			line = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(line), "|"))
			switch {
			case strings.HasPrefix(line, "filter ") && strings.Contains(line, "message"):
				for _, m := range quoted.FindAllStringSubmatch(line[strings.Index(line, "message"):], -1) {
					if !strings.Contains(src, `Context(ctx, "`+m[1]+`"`) {
						missing("README, Operate: %q is no message the functions log (with ctx)", m[1])
					}
				}
				if m := regexp.MustCompile(`like /\^([^/]+)/`).FindStringSubmatch(line); m != nil && !strings.Contains(src, `Context(ctx, "`+m[1]) {
					missing("README, Operate: no message the functions log starts with %q", m[1])
				}
			case strings.HasPrefix(line, "fields "), strings.HasPrefix(line, "stats "):
				names := line[strings.Index(line, " ")+1:]
				if _, by, ok := strings.Cut(names, " by "); ok {
					names = by
				} else if strings.HasPrefix(line, "stats ") {
					continue
				}
				for _, f := range strings.Split(names, ",") {
					f = strings.TrimSpace(f)
					if f == "" || given[f] || strings.HasPrefix(f, "@") || strings.HasPrefix(f, "record.") {
						continue
					}
					if !strings.Contains(src, `"`+f+`", `) {
						missing("README, Operate: field %q is not a key any log call writes", f)
					}
				}
			}
		}
	}
	if checked == 0 {
		t.Fatal("README, Operate: no ```text block of Logs Insights queries found")
	}
}

// logSources is the non-test Go source of functions/ and internal/.
func logSources(t *testing.T) string {
	t.Helper()
	var b strings.Builder
	for _, dir := range []string{"functions", "internal"} {
		err := filepath.WalkDir(filepath.Join(Root(), dir), func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return err
			}
			text, err := os.ReadFile(path)
			b.Write(text)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return b.String()
}
