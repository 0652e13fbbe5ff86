package campaign

import (
	"strings"
	"time"

	"bulk/internal/input"
	"bulk/internal/outcome"
	"bulk/internal/report"
)

// Tally counts a run's report rows, in the order they are written, into
// the run's summary.
type Tally struct {
	perAction     map[string]int
	counts        map[outcome.Status]int
	thisRun       map[outcome.Status]int // rows whose outcome this run reached
	failedEarlier int                    // rows an earlier run saw fail for good
	days          int64
	daysNow       int64             // granted by this run
	changed       int               // rows applied (plan: would apply)
	both          func(string) bool // the membership has rows of both actions
	pairs         map[string]int    // such memberships: their rows changed
	twice         int               // memberships changed by both of their rows
	warnings      int
	repeats       map[string]int // "campaign X on DATE": memberships it already extended
	earliest      *int64
	latest        *int64
}

// NewTally counts rows of the scanned file. A membership appears at most
// once per action, so only those with rows of both actions can be touched
// twice; they alone are remembered.
func NewTally(scan *input.Scan) *Tally {
	return &Tally{perAction: map[string]int{}, counts: map[outcome.Status]int{}, thisRun: map[outcome.Status]int{},
		both: scan.BothActions, pairs: map[string]int{},
		repeats: map[string]int{}}
}

// Add counts one row.
func (t *Tally) Add(r report.Row) {
	t.perAction[r.Action]++
	t.counts[r.Status]++
	switch {
	case !r.Earlier:
		t.thisRun[r.Status]++
	case r.Status == outcome.Failed:
		t.failedEarlier++
	}
	if r.Warning != "" {
		t.warnings++
	}
	if r.Repeat != "" {
		t.repeats[repeatedFrom(r.Repeat)]++
	}
	if r.Status != outcome.Applied && r.Status != outcome.WouldApply {
		return
	}
	if ts := r.PeriodEnd; r.Action == string(input.AddFreeDays) {
		t.days += int64(r.Days)
		if !r.Earlier {
			t.daysNow += int64(r.Days)
		}
		if ts != nil && (t.earliest == nil || *ts < *t.earliest) {
			t.earliest = ts
		}
		if ts != nil && (t.latest == nil || *ts > *t.latest) {
			t.latest = ts
		}
	}
	t.changed++
	if t.both(r.MembershipID) {
		if t.pairs[r.MembershipID]++; t.pairs[r.MembershipID] == 2 {
			t.twice++
		}
	}
}

// Bad says whether some row failed in this run or is unknown (plan: would
// fail): the run must say so (exit 1). Rows that failed for good in an
// earlier run were reported by it.
func (t *Tally) Bad() bool {
	return t.thisRun[outcome.Failed]+t.counts[outcome.Unknown]+t.counts[outcome.WouldFail] > 0
}

// FailedEarlier is the count of rows that failed for good in an earlier
// run, which reported them: this run sent nothing for them.
func (t *Tally) FailedEarlier() int { return t.failedEarlier }

// Meta is what a summary says of the run besides its rows.
type Meta struct {
	Campaign, Input, InputSHA256 string
	API, APIVersion              string
	Simulated, Sandbox           bool
	Rows                         int
}

// Summary is the run's summary from start to end: m, and the rows counted.
func (t *Tally) Summary(m Meta, start, end time.Time) report.Summary {
	s := report.Summary{
		Campaign: m.Campaign, Input: m.Input, InputSHA256: m.InputSHA256, Simulated: m.Simulated,
		API: m.API, APIVersion: m.APIVersion, Sandbox: m.Sandbox,
		Rows: m.Rows, RowsPerAction: t.perAction, Counts: t.counts, ThisRun: t.thisRun, FailedEarlier: t.failedEarlier,
		DaysGranted: t.days, DaysGrantedThisRun: t.daysNow, MembershipsTouched: t.changed - t.twice, Warnings: t.warnings,
		Repeats: t.repeats,
		Started: start.UTC(), Ended: end.UTC(), DurationSeconds: end.Sub(start).Seconds(),
	}
	if t.earliest != nil {
		e, l := time.Unix(*t.earliest, 0).UTC(), time.Unix(*t.latest, 0).UTC()
		s.EarliestNewExpiry, s.LatestNewExpiry = &e, &l
	}
	return s
}

// repeatedFrom is "campaign X on DATE" out of "already got N days from
// campaign X on DATE": the days differ from row to row, the rest does not.
func repeatedFrom(repeat string) string {
	if _, from, ok := strings.Cut(repeat, " days from "); ok {
		return from
	}
	return repeat
}
