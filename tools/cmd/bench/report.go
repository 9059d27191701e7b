package main

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
)

// report is what make bench prints: sections of tables, each figure next
// to its budget, and the raw go test output for benchstat.
type report struct {
	header   []string
	sections []*section
	pass     int
	misses   []string
}

type section struct {
	title string
	cols  []string
	rows  [][]string
	notes []string
	raw   string // printed as is (go test output)
}

func (r *report) section(title string, cols ...string) *section {
	s := &section{title: title, cols: cols}
	r.sections = append(r.sections, s)
	return s
}

func (s *section) row(cells ...string) { s.rows = append(s.rows, cells) }

func (s *section) note(format string, args ...any) {
	s.notes = append(s.notes, fmt.Sprintf(format, args...))
}

// judge returns "<value> PASS" or "<value> MISS", and counts it.
func (r *report) judge(what, value string, ok bool) string {
	if ok {
		r.pass++
		return value + " PASS"
	}
	r.misses = append(r.misses, what+" = "+value)
	return value + " MISS"
}

// ordered returns the sections by their "(a)", "(b)" ... titles, whatever
// order they ran in.
func (r *report) ordered() []*section {
	return slices.SortedStableFunc(slices.Values(r.sections), func(a, b *section) int {
		return strings.Compare(a.title[:min(3, len(a.title))], b.title[:min(3, len(b.title))])
	})
}

func (r *report) writeText(w io.Writer) {
	for _, h := range r.header {
		fmt.Fprintln(w, h)
	}
	for _, s := range r.ordered() {
		fmt.Fprintf(w, "\n== %s\n", s.title)
		if len(s.cols) > 0 {
			tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, strings.Join(s.cols, "\t"))
			for _, row := range s.rows {
				fmt.Fprintln(tw, strings.Join(row, "\t"))
			}
			_ = tw.Flush()
		}
		for _, n := range s.notes {
			fmt.Fprintln(w, "  "+n)
		}
		if s.raw != "" {
			fmt.Fprintf(w, "\n%s\n", strings.TrimRight(s.raw, "\n"))
		}
	}
	fmt.Fprintf(w, "\n== budgets: %d PASS, %d MISS\n", r.pass, len(r.misses))
	for _, m := range r.misses {
		fmt.Fprintln(w, "  MISS "+m)
	}
}

// writeMarkdown writes the tables and notes (not the raw output) for the
// README's Performance section.
func (r *report) writeMarkdown(w io.Writer) {
	fmt.Fprintln(w, "# Performance")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Written by `make bench BENCH_FLAGS=\"-md docs/performance.md\"`; `make bench` alone prints the same figures, with go test's raw output for benchstat.")
	fmt.Fprintln(w)
	for _, h := range r.header {
		fmt.Fprintf(w, "%s  \n", h)
	}
	for _, s := range r.ordered() {
		if len(s.cols) == 0 {
			continue
		}
		fmt.Fprintf(w, "\n### %s\n\n", s.title)
		fmt.Fprintf(w, "| %s |\n|%s\n", strings.Join(s.cols, " | "), strings.Repeat(" --- |", len(s.cols)))
		for _, row := range s.rows {
			fmt.Fprintf(w, "| %s |\n", strings.Join(row, " | "))
		}
		if len(s.notes) > 0 {
			fmt.Fprintln(w)
			for _, n := range s.notes {
				fmt.Fprintf(w, "- %s\n", n)
			}
		}
	}
	fmt.Fprintf(w, "\nBudgets: %d PASS, %d MISS.\n", r.pass, len(r.misses))
}
