package report

import (
	"path/filepath"
	"strings"
)

// DefaultPath is the report path used when none is given: input without its
// extension plus ".report.csv", or ".plan.csv" for a plan. A tag (such as
// "simulated" for a simulated run, so that it never overwrites the real
// campaign's report) goes before that.
func DefaultPath(input string, plan bool, tag string) string {
	suffix := ".report.csv"
	if plan {
		suffix = ".plan.csv"
	}
	if tag != "" {
		suffix = "." + tag + suffix
	}
	return trimExt(input) + suffix
}

// SummaryPath is the summary file beside a report: the report path without
// its extension plus ".summary.json" (x.report.csv gives x.report.summary.json).
func SummaryPath(report string) string {
	return trimExt(report) + ".summary.json"
}

// trimExt removes the extension of the last path element, unless that would
// leave the element empty (a name such as ".csv" has no extension to drop).
func trimExt(path string) string {
	ext := filepath.Ext(path)
	base := filepath.Base(path)
	if ext == "" || ext == base {
		return path
	}
	return strings.TrimSuffix(path, ext)
}
