package samcheck

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// lambdaRuntime is the package whose Start takes a handler: whoever imports
// it can serve requests that no Grip-Sig check has seen.
const lambdaRuntime = "github.com/aws/aws-lambda-go/lambda"

// Every function of template.yaml starts through the edge: ServeHTTP for a
// function with API events (the Grip-Sig check runs before its handler),
// ServeHTTP or ServeEvents for the others. A fork that calls lambda.Start
// itself, or serves API events with ServeEvents, fails here.
func TestFunctionsStartThroughTheEdge(t *testing.T) {
	tmpl, err := LoadTemplate()
	if err != nil {
		t.Fatal(err)
	}
	for _, fn := range tmpl.Functions {
		t.Run(fn.LogicalID, func(t *testing.T) {
			calls, err := mainCalls(filepath.Join(Root(), fn.Dir()))
			if err != nil {
				t.Fatal(err)
			}
			for _, problem := range edgeProblems(calls, len(fn.APIEvents) > 0) {
				t.Errorf("%s (%s): %s", fn.Dir(), fn.LogicalID, problem)
			}
		})
	}
}

// Only internal/edge may import the Lambda runtime's lambda package, among
// every package a function links (test files aside): nothing else can hand
// a handler to the runtime.
func TestOnlyTheEdgeImportsTheLambdaRuntime(t *testing.T) {
	out := mustRun(t, Root(), 2*time.Minute, "go", "list", "-deps",
		"-f", `{{if not .Standard}}{{.ImportPath}}{{range .Imports}} {{.}}{{end}}{{end}}`, "./functions/...")
	module := strings.TrimSpace(mustRun(t, Root(), time.Minute, "go", "list", "-m"))
	edgePkg := module + "/internal/edge"
	checked := 0
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		fields := strings.Fields(line)
		if len(fields) == 0 || !strings.HasPrefix(fields[0], module+"/") {
			continue
		}
		checked++
		for _, imp := range fields[1:] {
			if imp == lambdaRuntime && fields[0] != edgePkg {
				t.Errorf("%s imports %s: only %s may hand a handler to the Lambda runtime (with its Grip-Sig check); start the function with edge.ServeHTTP or edge.ServeEvents", fields[0], lambdaRuntime, edgePkg)
			}
		}
	}
	if checked == 0 {
		t.Fatalf("go list named no package of %s:\n%s", module, out)
	}
}

// The detector itself, on the mains a fork might write.
func TestEdgeProblems(t *testing.T) {
	tests := []struct {
		name    string
		main    string
		api     bool
		problem string // "" when the main is right
	}{
		{"API through ServeHTTP", `edge.ServeHTTP(setup)`, true, ""},
		{"API with a public page", `edge.ServeHTTP(setup, pageIsPublic)`, true, ""},
		{"events through ServeEvents", `edge.ServeEvents(setup)`, false, ""},
		{"API through ServeEvents", `edge.ServeEvents(setup)`, true, "ServeEvents"},
		{"lambda.Start", `lambda.Start(handler)`, true, "lambda.Start"},
		{"lambda.Start for events", `lambda.Start(handler)`, false, "lambda.Start"},
		{"nothing", ``, true, "edge.ServeHTTP"},
		{"both", `edge.ServeHTTP(setup); lambda.StartWithOptions(h)`, true, "lambda.StartWithOptions"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			src := "package main\n\nfunc main() {\n\t" + tc.main + "\n}\n"
			if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(src), 0o644); err != nil {
				t.Fatal(err)
			}
			calls, err := mainCalls(dir)
			if err != nil {
				t.Fatal(err)
			}
			problems := strings.Join(edgeProblems(calls, tc.api), "; ")
			if tc.problem == "" && problems != "" || tc.problem != "" && !strings.Contains(problems, tc.problem) {
				t.Errorf("problems %q, want %q", problems, tc.problem)
			}
		})
	}
}

// mainCalls lists the package-qualified calls (edge.ServeHTTP) in the body
// of func main of the package in dir, test files aside.
func mainCalls(dir string) ([]string, error) {
	fset := token.NewFileSet()
	pkgs, err := parser.ParseDir(fset, dir, func(fi os.FileInfo) bool { return !strings.HasSuffix(fi.Name(), "_test.go") }, 0)
	if err != nil {
		return nil, err
	}
	var calls []string
	for _, pkg := range pkgs {
		for _, file := range pkg.Files {
			for _, decl := range file.Decls {
				fn, ok := decl.(*ast.FuncDecl)
				if !ok || fn.Name.Name != "main" || fn.Recv != nil || fn.Body == nil {
					continue
				}
				ast.Inspect(fn.Body, func(n ast.Node) bool {
					if call, ok := n.(*ast.CallExpr); ok {
						if sel, ok := call.Fun.(*ast.SelectorExpr); ok {
							if pkgName, ok := sel.X.(*ast.Ident); ok {
								calls = append(calls, pkgName.Name+"."+sel.Sel.Name)
							}
						}
					}
					return true
				})
			}
		}
	}
	return calls, nil
}

// edgeProblems says what is wrong with a main that makes these calls.
func edgeProblems(calls []string, hasAPIEvents bool) []string {
	var problems []string
	served := false
	for _, c := range calls {
		switch {
		case strings.HasPrefix(c, "lambda.Start"):
			problems = append(problems, c+" in main serves without the edge's Grip-Sig check: call edge.ServeHTTP(setup)")
		case c == "edge.ServeHTTP":
			served = true
		case c == "edge.ServeEvents" && hasAPIEvents:
			problems = append(problems, "edge.ServeEvents serves API events without a Grip-Sig check: call edge.ServeHTTP(setup)")
		case c == "edge.ServeEvents":
			served = true
		}
	}
	if !served && len(problems) == 0 {
		want := "edge.ServeEvents(setup)"
		if hasAPIEvents {
			want = "edge.ServeHTTP(setup)"
		}
		problems = append(problems, "main does not start through the edge: call "+want)
	}
	return problems
}
