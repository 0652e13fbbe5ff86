package main

import (
	"fmt"

	"bulk/internal/input"
	"bulk/internal/report"
)

// outputs are the files a run writes, fed row by row in input order and
// committed together at its end: the report, the retry file of the rows
// that failed or are unknown, and the campaign page; and the count of
// what went wrong, by reason, for the summary and the screen.
type outputs struct {
	path    string // the report's
	report  *report.Writer
	retry   *report.RetryWriter
	page    *report.Page
	reasons *report.Reasons
}

// createOutputs starts the files of a run.
func (c *command) createOutputs(format input.Format) (*outputs, error) {
	w, err := report.Create(c.o.report, c.scan.Extra)
	if err != nil {
		return nil, err
	}
	jsonl := format == input.JSONL
	retry, err := report.CreateRetry(report.RetryPath(c.o.report, jsonl),
		report.RetryInput{JSONL: jsonl, Extra: c.scan.Extra})
	if err != nil {
		w.Abort()
		return nil, err
	}
	return &outputs{path: c.o.report, report: w, retry: retry, page: report.NewPage(), reasons: report.NewReasons()}, nil
}

// write adds one row to every output. It returns the row's reason, when it
// went wrong and is the first of its reason or a round count of it (1, 10,
// 100, ...), for the screen.
func (o *outputs) write(r report.Row) (report.Reason, bool, error) {
	reason, first := o.reasons.Add(r)
	o.page.Add(r)
	if err := o.retry.Write(r); err != nil {
		return reason, false, err
	}
	return reason, first || roundCount(reason.Count), o.report.Write(r)
}

// roundCount: 1, 10, 100, 1000, ...
func roundCount(n int) bool {
	for n >= 10 && n%10 == 0 {
		n /= 10
	}
	return n == 1
}

// commit writes the report, its summary, the retry file and the page.
// The summary gets the reasons.
func (o *outputs) commit(s *report.Summary, retryCommand func(string) string) error {
	s.Reasons = o.reasons.List()
	if err := o.report.Commit(); err != nil {
		return fmt.Errorf("write the report: %w", err)
	}
	if err := report.WriteSummary(report.SummaryPath(o.path), *s); err != nil {
		return fmt.Errorf("write the summary: %w", err)
	}
	if err := o.retry.Commit(); err != nil {
		return fmt.Errorf("write the retry file: %w", err)
	}
	files := report.PageFiles{Report: o.path}
	if o.retry.Rows() > 0 {
		files.Retry, files.RetryCommand = o.retry.Path(), retryCommand(o.retry.Path())
	}
	if err := o.page.Write(report.PagePath(o.path), *s, files); err != nil {
		return fmt.Errorf("write the campaign page: %w", err)
	}
	return nil
}

// abort removes whatever was not committed.
func (o *outputs) abort() {
	o.report.Abort()
	o.retry.Abort()
}
