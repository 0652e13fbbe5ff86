package main

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"bulk/internal/batch"
	"bulk/internal/client"
	"bulk/internal/input"
	"bulk/internal/report"
)

// tally counts report rows as they are written.
type tally struct {
	perAction     map[string]int
	counts        map[string]int
	thisRun       map[string]int // rows whose outcome this run reached
	failedEarlier int            // rows an earlier run saw fail for good
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

// newTally counts rows of the scanned file. A membership appears at most
// once per action, so only those with rows of both actions can be touched
// twice; they alone are remembered.
func newTally(scan *input.Scan) *tally {
	return &tally{perAction: map[string]int{}, counts: map[string]int{}, thisRun: map[string]int{},
		both: scan.BothActions, pairs: map[string]int{},
		repeats: map[string]int{}}
}

func (t *tally) add(r report.Row) {
	t.perAction[r.Action]++
	t.counts[r.Status]++
	switch {
	case !r.Earlier:
		t.thisRun[r.Status]++
	case r.Status == batch.StatusFailed:
		t.failedEarlier++
	}
	if r.Warning != "" {
		t.warnings++
	}
	if r.Repeat != "" {
		t.repeats[repeatedFrom(r.Repeat)]++
	}
	if r.Status != batch.StatusApplied && r.Status != batch.WouldApply {
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

// bad: some row failed in this run or is unknown (plan: would fail). Rows
// that failed for good in an earlier run were reported by it.
func (t *tally) bad() bool {
	return t.thisRun[batch.StatusFailed]+t.counts[batch.StatusUnknown]+t.counts[batch.WouldFail] > 0
}

func (t *tally) summary(o *options, version string, scan *input.Scan, start, end time.Time) report.Summary {
	s := report.Summary{
		Campaign: o.campaign, Input: o.file, InputSHA256: scan.SHA256, Simulated: o.simulate,
		API: o.api, APIVersion: version, Sandbox: o.sandbox,
		Rows: scan.Rows, RowsPerAction: t.perAction, Counts: t.counts, ThisRun: t.thisRun, FailedEarlier: t.failedEarlier,
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

// printSummary is the human summary on stdout.
func printSummary(w io.Writer, s report.Summary, reportPath string) {
	what := "run"
	if strings.HasPrefix(s.Mode, "plan") {
		what = "plan"
	}
	fmt.Fprintf(w, "bulk %s of campaign %q: %d rows from %s in %s\n", what, s.Campaign, s.Rows, s.Input,
		time.Duration(s.DurationSeconds*float64(time.Second)).Round(100*time.Millisecond))
	fmt.Fprintf(w, "  API: %s\n", apiName(s.API, s.APIVersion, s.Simulated, s.Sandbox))
	actions := sortedKeys(s.RowsPerAction)
	for _, a := range actions {
		fmt.Fprintf(w, "  %-16s %s\n", a, plural(s.RowsPerAction[a], "row"))
	}
	verb := "granted"
	if what == "plan" {
		verb = "to grant"
		for _, st := range sortedKeys(s.Counts) {
			fmt.Fprintf(w, "  %-16s %d\n", st, s.Counts[st])
		}
	} else {
		fmt.Fprintf(w, "  this run: %s\n", countsText(s.ThisRun, "nothing to do"))
		fmt.Fprintf(w, "  campaign: %s\n", campaignText(s))
	}
	if what == "plan" {
		fmt.Fprintf(w, "  free days %s: %d; memberships touched: %d\n", verb, s.DaysGranted, s.MembershipsTouched)
	} else {
		fmt.Fprintf(w, "  free days granted: %d by the campaign, %d by this run; memberships touched: %d\n",
			s.DaysGranted, s.DaysGrantedThisRun, s.MembershipsTouched)
	}
	if s.EarliestNewExpiry != nil {
		fmt.Fprintf(w, "  new period ends from %s to %s\n", s.EarliestNewExpiry.Format(time.RFC3339), s.LatestNewExpiry.Format(time.RFC3339))
	}
	for _, from := range sortedKeys(s.Repeats) {
		fmt.Fprintf(w, "  %d memberships already got days from %s\n", s.Repeats[from], from)
	}
	if len(s.Reasons) > 0 {
		fmt.Fprintln(w, "  what went wrong, by reason:")
		for _, line := range report.ReasonLines(s.Reasons) {
			fmt.Fprintln(w, "    "+line)
		}
	}
	if s.Warnings > 0 {
		fmt.Fprintf(w, "  warnings: %d (see the warning column)\n", s.Warnings)
	}
	if s.Mode != "plan-offline" {
		fmt.Fprintf(w, "  requests sent: %d%s; refused with 429: %d\n", s.RequestsSent, perOp(s.RequestsPerOp), s.RateLimited)
	}
	if what == "plan" {
		fmt.Fprintf(w, "  a real run would send about %d requests: %s at the current pace\n",
			s.RequestsToSend, (time.Duration(s.EstimatedRunSeconds) * time.Second).String())
	}
	if s.Stopped != "" {
		fmt.Fprintf(w, "  stopped early: %s (run the same command again to continue)\n", s.Stopped)
	}
	fmt.Fprintf(w, "report: %s\nsummary: %s\n", reportPath, report.SummaryPath(reportPath))
	if s.Mode == "run" {
		fmt.Fprintf(w, "page: %s\n", report.PagePath(reportPath))
	}
}

// statusOrder is the order in which a run's statuses are told.
var statusOrder = []string{batch.StatusApplied, batch.StatusSkipped, batch.StatusFailed, batch.StatusUnknown, batch.StatusPending}

// countsText is "applied 155, failed 2", in statusOrder, or none when
// every count is zero.
func countsText(counts map[string]int, none string) string {
	var parts []string
	for _, st := range statusOrder {
		if n := counts[st]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", st, n))
		}
	}
	if len(parts) == 0 {
		return none
	}
	return strings.Join(parts, ", ")
}

// campaignText is where the whole campaign stands: "applied 298 of 300,
// failed 2 (reported by an earlier run)".
func campaignText(s report.Summary) string {
	counts := map[string]int{}
	for st, n := range s.Counts {
		counts[st] = n
	}
	applied := counts[batch.StatusApplied]
	delete(counts, batch.StatusApplied)
	text := fmt.Sprintf("applied %d of %d", applied, s.Rows)
	if rest := countsText(counts, ""); rest != "" {
		text += ", " + rest
	}
	if s.FailedEarlier > 0 {
		text += fmt.Sprintf(" (%d failed rows were reported by an earlier run and not sent again)", s.FailedEarlier)
	}
	return text
}

func sortedKeys(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// apiName says which API a run speaks, as an operator reads it.
func apiName(api, version string, simulated, sandbox bool) string {
	name := "Whop Current API, version " + version
	if api == "v2" {
		name = "Whop v2 API (retired by Whop on November 13, 2026)"
	}
	switch {
	case simulated:
		name += ", simulated"
	case sandbox:
		name += ", SANDBOX (" + client.SandboxBaseURL + "): nothing real is changed"
	}
	return name
}

// perOp is " (read 10, extend 10)", in a fixed order.
func perOp(n map[string]int64) string {
	var parts []string
	for _, op := range client.Ops {
		if v := n[string(op)]; v > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", op, v))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, ", ") + ")"
}

// repeatedFrom is "campaign X on DATE" out of "already got N days from
// campaign X on DATE": the days differ from row to row, the rest does not.
func repeatedFrom(repeat string) string {
	if _, from, ok := strings.Cut(repeat, " days from "); ok {
		return from
	}
	return repeat
}
