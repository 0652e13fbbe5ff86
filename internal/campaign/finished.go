package campaign

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"time"

	"bulk/internal/journal"
	"bulk/internal/report"
)

// Run names a run that ended with every row settled for good, for
// MarkFinished.
type Run struct {
	ID          string
	Report      string // the report it wrote
	InputSHA256 string
	API         string
	Version     string
}

// MarkFinished records in j that run ended with every row applied or
// skipped (or failed for good and reported), naming the report it wrote and
// that report's SHA-256, so that running the campaign again is quick (see
// Finished).
func MarkFinished(j *journal.Journal, run Run) error {
	sum, err := fileSHA256(run.Report)
	if err != nil {
		return err
	}
	return j.Append(journal.Record{
		Type: journal.TypeRun, Run: run.ID, Status: journal.StatusComplete,
		File: run.Report, SHA256: sum, Input: run.InputSHA256, API: run.API, Version: run.Version,
	}, true)
}

// Finished handles running a finished campaign again, as cron does: when
// the journal's last record says an earlier run ended with every row of
// this very input settled for good, and the report it wrote is there
// unchanged, then nothing would be sent and the report would come out the
// same. It then refreshes the summary beside the report (this run's times,
// no requests) and returns it, with true.
func Finished(state, name, input, reportPath string) (report.Summary, bool, error) {
	t, err := journal.OpenTail(state, name)
	if err != nil {
		return report.Summary{}, false, err
	}
	defer t.Close()
	last := t.Last
	if !t.OK || last.Type != journal.TypeRun || last.Status != journal.StatusComplete || last.File != reportPath {
		return report.Summary{}, false, nil
	}
	if sum, err := fileSHA256(input); err != nil || sum != last.Input {
		return report.Summary{}, false, nil
	}
	if sum, err := fileSHA256(reportPath); err != nil || sum != last.SHA256 {
		return report.Summary{}, false, nil
	}
	s, err := report.ReadSummary(report.SummaryPath(reportPath))
	if err != nil || s.InputSHA256 != last.Input || s.ExitCode != 0 {
		return report.Summary{}, false, nil
	}
	now := time.Now().UTC()
	s.Started, s.Ended, s.DurationSeconds = now, now, 0
	s.RequestsSent, s.RequestsPerOp, s.RateLimited, s.Stopped = 0, nil, 0, ""
	s.ThisRun, s.DaysGrantedThisRun = nil, 0
	if err := report.WriteSummary(report.SummaryPath(reportPath), s); err != nil {
		return report.Summary{}, false, fmt.Errorf("write the summary: %w", err)
	}
	return s, true, nil
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
