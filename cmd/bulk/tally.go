package main

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"bulk/internal/client"
	"bulk/internal/outcome"
	"bulk/internal/report"
)

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
var statusOrder = []outcome.Status{outcome.Applied, outcome.Skipped, outcome.Failed, outcome.Unknown, outcome.Pending}

// countsText is "applied 155, failed 2", in statusOrder, or none when
// every count is zero.
func countsText(counts map[outcome.Status]int, none string) string {
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
	counts := map[outcome.Status]int{}
	for st, n := range s.Counts {
		counts[st] = n
	}
	applied := counts[outcome.Applied]
	delete(counts, outcome.Applied)
	text := fmt.Sprintf("applied %d of %d", applied, s.Rows)
	if earlier := applied - s.ThisRun[outcome.Applied]; earlier > 0 {
		text += fmt.Sprintf(" (%d by earlier runs)", earlier)
	}
	if rest := countsText(counts, ""); rest != "" {
		text += ", " + rest
	}
	if s.FailedEarlier > 0 {
		text += fmt.Sprintf(" (%d failed rows were reported by an earlier run and not sent again)", s.FailedEarlier)
	}
	return text
}

func sortedKeys[K ~string](m map[K]int) []K {
	return slices.Sorted(maps.Keys(m))
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
