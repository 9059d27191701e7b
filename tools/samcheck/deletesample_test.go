package samcheck

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// deleteSample does in dir what README ("Fork a function") tells a user to
// do to delete a sample: its folder, its template block, alarms and
// dashboard lines, its events, its entry in events/env.json, its <Name>Url
// output and the parameters only it read. README's tables that name it are
// left: their tests skip it.
func deleteSample(t *testing.T, dir, name string) {
	t.Helper()
	fn := sampleFunction(name)
	if err := os.RemoveAll(filepath.Join(dir, "functions", name)); err != nil {
		t.Fatal(err)
	}
	samples, _ := filepath.Glob(filepath.Join(dir, "events", name+"-*.json"))
	if len(samples) == 0 {
		t.Fatalf("no events/%s-*.json to delete: has the sample been renamed?", name)
	}
	for _, f := range samples {
		if err := os.Remove(f); err != nil {
			t.Fatal(err)
		}
	}
	removeEnvEntry(t, filepath.Join(dir, "events", "env.json"), fn)

	path := filepath.Join(dir, "template.yaml")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	text, ok := removeBlock(string(b), "Resources", fn)
	if !ok {
		t.Fatalf("template.yaml has no resource %s", fn)
	}
	// Its alarms name it: left in, the template would not deploy.
	for _, metric := range []string{"Errors", "Throttles"} {
		if text, ok = removeBlock(text, "Resources", strings.TrimSuffix(fn, "Function")+metric+"Alarm"); !ok {
			t.Fatalf("template.yaml has no %s%sAlarm", strings.TrimSuffix(fn, "Function"), metric)
		}
	}
	// The dashboard's lines that name it: its row, its message graphs.
	text = regexp.MustCompile(`(?m)^.*\$\{`+fn+`\}.*\n`).ReplaceAllString(text, "")
	// A URL output of a route nobody serves would deploy and answer 404.
	text, _ = removeBlock(text, "Outputs", strings.TrimSuffix(fn, "Function")+"Url")
	// A condition only it used fails cfn-lint (W8001); then the parameters
	// only they read.
	text = removeUnused(text, "Conditions")
	text = removeUnused(text, "Parameters")
	if strings.Contains(text, fn) {
		t.Fatalf("template.yaml still names %s after removing its block", fn)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// removeBlock deletes key's block from a top-level section of the template
// (Parameters, Conditions, Resources, Outputs): its line, indented two
// spaces (with its value on it or not), and every more indented line after it. ok is false when the section has no key.
func removeBlock(text, section, key string) (string, bool) {
	start, end := sectionBounds(text, section)
	if start < 0 {
		return text, false
	}
	block := regexp.MustCompile(`(?m)^  ` + regexp.QuoteMeta(key) + `:( .*)?\n((    .*)?\n)*`)
	body := text[start:end]
	if !block.MatchString(body) {
		return text, false
	}
	return text[:start] + block.ReplaceAllString(body, "") + text[end:], true
}

// sectionBounds is where a top-level section's body starts and ends; -1
// when the template has no such section.
func sectionBounds(text, section string) (start, end int) {
	head := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(section) + `:\n`).FindStringIndex(text)
	if head == nil {
		return -1, -1
	}
	start = head[1]
	next := regexp.MustCompile(`(?m)^\S`).FindStringIndex(text[start:])
	if next == nil {
		return start, len(text)
	}
	return start, start + next[0]
}

// removeUnused deletes the entries of a section (Parameters, Conditions)
// that nothing refers to any more (the chat's ChatChannel once the chat is
// gone): sam deploy --guided would still ask for such a parameter, and
// cfn-lint refuses such a condition.
func removeUnused(text, section string) string {
	start, end := sectionBounds(text, section)
	if start < 0 {
		return text
	}
	for _, m := range regexp.MustCompile(`(?m)^  (\w+):`).FindAllStringSubmatch(text[start:end], -1) {
		word := regexp.MustCompile(`\b` + m[1] + `\b`)
		if len(word.FindAllStringIndex(text, -1)) == 1 { // its own declaration
			text, _ = removeBlock(text, section, m[1])
		}
	}
	return text
}

// removeEnvEntry drops a function's entry from sam's --env-vars file, if it
// has one.
func removeEnvEntry(t *testing.T, path, logicalID string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var entries map[string]json.RawMessage
	if err := json.Unmarshal(b, &entries); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if _, ok := entries[logicalID]; !ok {
		return
	}
	delete(entries, logicalID)
	out, err := json.MarshalIndent(entries, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, append(out, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
}
