package samcheck

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// readmeBlock is a fenced code block of a numbered step of README.md.
type readmeBlock struct {
	Step int
	Lang string // "sh", "yaml", ...
	Text string // dedented to the fence's indentation
}

// readmeSteps reads the fenced code blocks of the numbered steps in README's
// section titled title, so that a test can do exactly what README says.
func readmeSteps(root, title string) ([]readmeBlock, error) {
	b, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		return nil, err
	}
	_, section, ok := strings.Cut(string(b), "\n## "+title+"\n")
	if !ok {
		return nil, fmt.Errorf("README.md has no section %q", title)
	}
	if end := strings.Index(section, "\n## "); end >= 0 {
		section = section[:end]
	}
	stepLine := regexp.MustCompile(`^(\d+)\. `)
	fence := regexp.MustCompile("^( *)```(\\w*)$")
	var (
		blocks []readmeBlock
		step   int
		cur    *readmeBlock
		indent string
	)
	for _, line := range strings.Split(section, "\n") {
		if cur != nil {
			if strings.TrimSpace(line) == "```" {
				blocks = append(blocks, *cur)
				cur = nil
				continue
			}
			cur.Text += strings.TrimPrefix(line, indent) + "\n"
			continue
		}
		if m := stepLine.FindStringSubmatch(line); m != nil {
			step, _ = strconv.Atoi(m[1])
			continue
		}
		if m := fence.FindStringSubmatch(line); m != nil && m[2] != "" {
			indent = m[1]
			cur = &readmeBlock{Step: step, Lang: m[2]}
		}
	}
	if cur != nil {
		return nil, fmt.Errorf("README.md, %s: a code block is not closed", title)
	}
	return blocks, nil
}

// stepBlocks are the blocks of one step.
func stepBlocks(blocks []readmeBlock, step int) []readmeBlock {
	var out []readmeBlock
	for _, b := range blocks {
		if b.Step == step {
			out = append(out, b)
		}
	}
	return out
}
