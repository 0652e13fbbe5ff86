package report

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

func TestSummaryRoundTrip(t *testing.T) {
	start := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	early, late := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		s    Summary
	}{
		{"zero", Summary{}},
		{"run", Summary{
			Campaign: "q4", Input: "rows.csv", InputSHA256: "ab12", Mode: "run", Rows: 3,
			RowsPerAction: map[string]int{"add_free_days": 2, "update_metadata": 1},
			Counts:        map[string]int{"applied": 2, "failed": 1}, DaysGranted: 60, MembershipsTouched: 2,
			Started: start, Ended: start.Add(90 * time.Second), DurationSeconds: 90,
			RequestsSent: 5, RateLimited: 1, ExitCode: 1, Stopped: "interrupted",
		}},
		{"plan", Summary{
			Campaign: "q4", Mode: "plan", Simulated: true, Warnings: 2,
			EarliestNewExpiry: &early, LatestNewExpiry: &late, RequestsToSend: 4, EstimatedRunSeconds: 0.4,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "rows.report.summary.json")
			if err := WriteSummary(path, tt.s); err != nil {
				t.Fatal(err)
			}
			got, err := ReadSummary(path)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.s) {
				t.Errorf("round trip\n got %+v\nwant %+v", got, tt.s)
			}
		})
	}
}

func TestReadSummaryErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{filepath.Join(dir, "missing.json"), bad} {
		if _, err := ReadSummary(path); err == nil {
			t.Errorf("ReadSummary(%s): got nil error", path)
		}
	}
}
