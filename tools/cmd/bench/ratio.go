package main

import (
	"fmt"
	"time"
)

// ratio is v over its floor: what a time budget judges.
func ratio(v, floor time.Duration) float64 {
	if floor <= 0 {
		return 0
	}
	return float64(v) / float64(floor)
}

// times formats a ratio, e.g. "1.23×".
func times(r float64) string { return fmt.Sprintf("%.2f×", r) }

// judgeRatio judges v against floor with a ratio budget: "1.23× PASS".
func (r *report) judgeRatio(what string, v, floor time.Duration, budget float64) string {
	x := ratio(v, floor)
	return r.judge(what, times(x), floor > 0 && x <= budget)
}
