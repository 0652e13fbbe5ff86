package report

import (
	"bulk/internal/outcome"
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
			Counts:        map[outcome.Status]int{"applied": 2, "failed": 1}, DaysGranted: 60, MembershipsTouched: 2,
			Started: start, Ended: start.Add(90 * time.Second), DurationSeconds: 90,
			RequestsSent: 5, RateLimited: 1, ExitCode: 1, Stopped: "interrupted",
			Reasons: []Reason{{Status: "failed", HTTPStatus: 404, Class: "no such membership", Count: 1,
				Examples: []Example{{Line: 3, MembershipID: "mem_b", Error: "Membership not found"}}}},
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

// A server's date beyond what JSON's RFC 3339 holds must not make the
// summary unwritable: it is written as the nearest date JSON can hold.
func TestSummaryWritesAnyDate(t *testing.T) {
	far := time.Unix(1<<40, 0).UTC() // year 36812
	long := time.Date(-5, 1, 1, 0, 0, 0, 0, time.UTC)
	near := time.Date(9999, 12, 31, 23, 0, 0, 0, time.FixedZone("x", 2*3600)) // year 10000 in its own zone
	tests := []struct {
		name      string
		in        *time.Time
		wantLater string
	}{
		{"after 9999", &far, "9999-12-31T23:59:59.999999999Z"},
		{"before year 0", &long, "0000-01-01T00:00:00Z"},
		{"9999 in UTC, 10000 in its zone", &near, "9999-12-31T21:00:00Z"},
		{"ordinary", ptrTime(time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)), "2027-01-01T00:00:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "s.json")
			s := Summary{Campaign: "c", Started: *tt.in, Ended: *tt.in, EarliestNewExpiry: tt.in, LatestNewExpiry: tt.in}
			if err := WriteSummary(path, s); err != nil {
				t.Fatalf("WriteSummary: %v", err)
			}
			got, err := ReadSummary(path)
			if err != nil {
				t.Fatalf("ReadSummary: %v", err)
			}
			for name, v := range map[string]time.Time{"started": got.Started, "ended": got.Ended,
				"earliest": *got.EarliestNewExpiry, "latest": *got.LatestNewExpiry} {
				if s := v.Format(time.RFC3339Nano); s != tt.wantLater {
					t.Errorf("%s = %s, want %s", name, s, tt.wantLater)
				}
			}
			if *s.LatestNewExpiry != *tt.in {
				t.Error("writing changed the caller's summary")
			}
		})
	}
}

func ptrTime(t time.Time) *time.Time { return &t }
