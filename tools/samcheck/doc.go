// Package samcheck holds the tests that look at the SAM application the way the
// sam CLI does: the template's functions, routes and globals, the samconfig
// defaults, and the Makefile build targets that `sam build` runs.
package samcheck
