package campaign

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"bulk/internal/input"
	"bulk/internal/outcome"
	"bulk/internal/report"
)

func scanned(t *testing.T, content string) *input.Scan {
	t.Helper()
	p := filepath.Join(t.TempDir(), "c.csv")
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := input.ScanFile(p, input.CSV, false)
	if err != nil || s.ProblemCount > 0 {
		t.Fatalf("scan: %v %v", err, s.Problems)
	}
	return s
}

func ptr(v int64) *int64 { return &v }

// TestTallyTellsThisRunFromEarlierOnes: what an earlier run reached counts
// for the campaign, not for this run; failures an earlier run reported do
// not make this run bad, unknown rows always do.
func TestTallyTellsThisRunFromEarlierOnes(t *testing.T) {
	scan := scanned(t, "membership_id,days\nmem_a,7\nmem_b,7\nmem_c,7\nmem_d,7\n")
	tests := []struct {
		name    string
		rows    []report.Row
		bad     bool
		thisRun map[outcome.Status]int
		early   int
		days    int64
		daysNow int64
	}{
		{"all earlier", []report.Row{
			{MembershipID: "mem_a", Action: "add_free_days", Days: 7, Status: outcome.Applied, Earlier: true, PeriodEnd: ptr(10)},
			{MembershipID: "mem_b", Action: "add_free_days", Days: 7, Status: outcome.Failed, Earlier: true, HTTPStatus: 404},
		}, false, map[outcome.Status]int{}, 1, 7, 0},
		{"failed now", []report.Row{
			{MembershipID: "mem_a", Action: "add_free_days", Days: 7, Status: outcome.Applied, PeriodEnd: ptr(10)},
			{MembershipID: "mem_b", Action: "add_free_days", Days: 7, Status: outcome.Failed, HTTPStatus: 404},
		}, true, map[outcome.Status]int{outcome.Applied: 1, outcome.Failed: 1}, 0, 7, 7},
		{"unknown from before", []report.Row{
			{MembershipID: "mem_c", Action: "add_free_days", Days: 7, Status: outcome.Unknown},
		}, true, map[outcome.Status]int{outcome.Unknown: 1}, 0, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tally := NewTally(scan)
			for _, r := range tt.rows {
				tally.Add(r)
			}
			s := tally.Summary(Meta{Rows: scan.Rows}, time.Unix(0, 0), time.Unix(1, 0))
			if tally.Bad() != tt.bad || tally.FailedEarlier() != tt.early || s.FailedEarlier != tt.early {
				t.Errorf("bad %v, failed earlier %d; want %v, %d", tally.Bad(), tally.FailedEarlier(), tt.bad, tt.early)
			}
			if len(s.ThisRun) != len(tt.thisRun) {
				t.Errorf("this run %v, want %v", s.ThisRun, tt.thisRun)
			}
			for st, n := range tt.thisRun {
				if s.ThisRun[st] != n {
					t.Errorf("this run %v, want %v", s.ThisRun, tt.thisRun)
				}
			}
			if s.DaysGranted != tt.days || s.DaysGrantedThisRun != tt.daysNow {
				t.Errorf("days %d (this run %d), want %d (%d)", s.DaysGranted, s.DaysGrantedThisRun, tt.days, tt.daysNow)
			}
		})
	}
}
