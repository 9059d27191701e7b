// Command functions prints the logical id of every AWS::Serverless::Function
// in template.yaml, one a line: what `make build` builds, so the Makefile
// keeps no list of its own.
//
//	go run ./tools/cmd/functions [-template template.yaml]
package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/faas-grip/faas-grip-go/tools/template"
)

func main() {
	path := flag.String("template", "template.yaml", "the SAM template")
	flag.Parse()
	if err := list(os.Stdout, *path); err != nil {
		fmt.Fprintln(os.Stderr, "functions:", err)
		os.Exit(1)
	}
}

// list writes the logical id of every function of the template at path.
func list(w io.Writer, path string) error {
	t, err := template.Load(path)
	if err != nil {
		return err
	}
	for _, fn := range t.Functions {
		fmt.Fprintln(w, fn.LogicalID)
	}
	return nil
}
