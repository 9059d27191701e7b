// Command functions prints the logical id of every AWS::Serverless::Function
// in template.yaml, one a line: what `make build` builds, so the Makefile
// keeps no list of its own.
//
//	go run ./tools/cmd/functions [-template template.yaml]
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/faas-grip/faas-grip-go/tools/template"
)

func main() {
	path := flag.String("template", "template.yaml", "the SAM template")
	flag.Parse()
	t, err := template.Load(*path)
	if err != nil {
		fmt.Fprintln(os.Stderr, "functions:", err)
		os.Exit(1)
	}
	for _, fn := range t.Functions {
		fmt.Println(fn.LogicalID)
	}
}
