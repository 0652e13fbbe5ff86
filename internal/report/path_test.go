package report

import (
	"path/filepath"
	"testing"
)

func TestDefaultPath(t *testing.T) {
	tests := []struct {
		input           string
		plan, simulated bool
		want            string
	}{
		{"rows.csv", false, false, "rows.report.csv"},
		{"rows.csv", true, false, "rows.plan.csv"},
		{"rows.csv", false, true, "rows.simulated.report.csv"},
		{"rows.csv", true, true, "rows.simulated.plan.csv"},
		{"data/rows.jsonl", false, false, "data/rows.report.csv"},
		{"data/q4.campaign.csv", false, false, "data/q4.campaign.report.csv"},
		{"data.v2/rows", false, false, "data.v2/rows.report.csv"},
		{"rows", true, false, "rows.plan.csv"},
		{".csv", false, false, ".csv.report.csv"},
	}
	for _, tt := range tests {
		t.Run(tt.input, func(t *testing.T) {
			input := filepath.FromSlash(tt.input)
			got := DefaultPath(input, tt.plan, tt.simulated)
			if want := filepath.FromSlash(tt.want); got != want {
				t.Errorf("DefaultPath(%q, plan=%v, simulated=%v) = %q, want %q", input, tt.plan, tt.simulated, got, want)
			}
		})
	}
}

func TestSummaryPath(t *testing.T) {
	tests := []struct {
		report, want string
	}{
		{"rows.report.csv", "rows.report.summary.json"},
		{"rows.plan.csv", "rows.plan.summary.json"},
		{"rows.simulated.report.csv", "rows.simulated.report.summary.json"},
		{"out/rows.report.jsonl", "out/rows.report.summary.json"},
		{"out.d/report", "out.d/report.summary.json"},
	}
	for _, tt := range tests {
		t.Run(tt.report, func(t *testing.T) {
			report := filepath.FromSlash(tt.report)
			if got, want := SummaryPath(report), filepath.FromSlash(tt.want); got != want {
				t.Errorf("SummaryPath(%q) = %q, want %q", report, got, want)
			}
		})
	}
}
