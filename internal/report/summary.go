package report

import (
	"bulk/internal/outcome"
	"encoding/json"
	"fmt"
	"os"
	"time"
)

// Summary is what the .summary.json beside a report holds.
type Summary struct {
	Campaign      string                 `json:"campaign"`
	Input         string                 `json:"input"`
	InputSHA256   string                 `json:"input_sha256"`
	Mode          string                 `json:"mode"` // "run", "plan" or "plan-offline"
	Simulated     bool                   `json:"simulated,omitempty"`
	API           string                 `json:"api"`                   // "current" or "v2"
	APIVersion    string                 `json:"api_version,omitempty"` // Api-Version-Date (Current API)
	Sandbox       bool                   `json:"sandbox,omitempty"`
	Rows          int                    `json:"rows"`
	RowsPerAction map[string]int         `json:"rows_per_action"`
	Counts        map[outcome.Status]int `json:"counts"` // per status
	// ThisRun counts, per status, the rows whose outcome this run reached;
	// Counts less ThisRun is what earlier runs of the campaign reached.
	ThisRun map[outcome.Status]int `json:"this_run,omitempty"`
	// FailedEarlier counts the failed rows that an earlier run saw fail
	// for good and reported; this run did not send them again.
	FailedEarlier      int              `json:"failed_earlier,omitempty"`
	DaysGranted        int64            `json:"days_granted"`
	DaysGrantedThisRun int64            `json:"days_granted_this_run"`
	MembershipsTouched int              `json:"memberships_touched"`
	Started            time.Time        `json:"started"`
	Ended              time.Time        `json:"ended"`
	DurationSeconds    float64          `json:"duration_seconds"`
	RequestsSent       int64            `json:"requests_sent"`
	RequestsPerOp      map[string]int64 `json:"requests_per_operation,omitempty"` // read, extend, update, list
	RateLimited        int64            `json:"rate_limited_429s"`
	ExitCode           int              `json:"exit_code"`
	Stopped            string           `json:"stopped,omitempty"` // why the run stopped early, if it did
	// Reasons groups the failed and unknown rows (plan: would_fail) by
	// reason, most rows first (Reasons.List).
	Reasons []Reason `json:"reasons,omitempty"`

	// Plan only.
	Warnings int `json:"warnings,omitempty"`
	// Repeats counts, per "campaign X on DATE", the memberships another
	// campaign of the state directory already extended.
	Repeats             map[string]int `json:"already_extended_by,omitempty"`
	EarliestNewExpiry   *time.Time     `json:"earliest_new_expiry,omitempty"`
	LatestNewExpiry     *time.Time     `json:"latest_new_expiry,omitempty"`
	RequestsToSend      int64          `json:"requests_to_send,omitempty"`
	EstimatedRunSeconds float64        `json:"estimated_run_seconds,omitempty"`
}

// MarshalJSON writes s with its times as RFC 3339 in UTC, as encoding/json does,
// except that a time JSON cannot hold (a year after 9999 or before 0, which
// a server's date may be) is written as the nearest one it can: otherwise
// one such date would make every run's summary unwritable. The report
// keeps the date as given.
func (s Summary) MarshalJSON() ([]byte, error) {
	type plain Summary // without this method
	p := plain(s)
	p.Started, p.Ended = clampTime(p.Started), clampTime(p.Ended)
	for _, t := range []**time.Time{&p.EarliestNewExpiry, &p.LatestNewExpiry} {
		if *t != nil {
			c := clampTime(**t)
			*t = &c
		}
	}
	return json.Marshal(p)
}

// The range of times that RFC 3339 in JSON can hold.
var (
	minJSONTime = time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC)
	maxJSONTime = time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC)
)

// clampTime is t in UTC, as the contract writes every time, within the
// range JSON can hold.
func clampTime(t time.Time) time.Time {
	t = t.UTC()
	switch {
	case t.Before(minJSONTime):
		return minJSONTime
	case t.After(maxJSONTime):
		return maxJSONTime
	}
	return t
}

// WriteSummary writes s to path as indented JSON, atomically and with mode
// 0600 (see WriteFileAtomic).
func WriteSummary(path string, s Summary) error {
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return fmt.Errorf("encode summary: %w", err)
	}
	return WriteFileAtomic(path, append(data, '\n'), 0o600)
}

// ReadSummary reads a summary written by WriteSummary.
func ReadSummary(path string) (Summary, error) {
	var s Summary
	data, err := os.ReadFile(path)
	if err != nil {
		return s, fmt.Errorf("read summary: %w", err)
	}
	if err := json.Unmarshal(data, &s); err != nil {
		return Summary{}, fmt.Errorf("read summary %s: %w", path, err)
	}
	return s, nil
}
