package report

import (
	"path/filepath"
	"testing"
)

func TestDefaultPath(t *testing.T) {
	tests := []struct {
		input string
		plan  bool
		tag   string
		want  string
	}{
		{"rows.csv", false, "", "rows.report.csv"},
		{"rows.csv", true, "", "rows.plan.csv"},
		{"rows.csv", false, "simulated", "rows.simulated.report.csv"},
		{"rows.csv", true, "simulated", "rows.simulated.plan.csv"},
		{"rows.csv", false, "v2.simulated", "rows.v2.simulated.report.csv"},
		{"data/rows.jsonl", false, "", "data/rows.report.csv"},
		{"data/q4.campaign.csv", false, "", "data/q4.campaign.report.csv"},
		{"data.v2/rows", false, "", "data.v2/rows.report.csv"},
		{"rows", true, "", "rows.plan.csv"},
		{".csv", false, "", ".csv.report.csv"},
	}
	for _, tt := range tests {
		t.Run(tt.input, func(t *testing.T) {
			input := filepath.FromSlash(tt.input)
			got := DefaultPath(input, tt.plan, tt.tag)
			if want := filepath.FromSlash(tt.want); got != want {
				t.Errorf("DefaultPath(%q, plan=%v, tag=%q) = %q, want %q", input, tt.plan, tt.tag, got, want)
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

func TestPagePath(t *testing.T) {
	tests := []struct {
		report, want string
	}{
		{"rows.report.csv", "rows.report.html"},
		{"out/rows.plan.jsonl", "out/rows.plan.html"},
		{"out.d/report", "out.d/report.html"},
	}
	for _, tt := range tests {
		report := filepath.FromSlash(tt.report)
		if got, want := PagePath(report), filepath.FromSlash(tt.want); got != want {
			t.Errorf("PagePath(%q) = %q, want %q", report, got, want)
		}
	}
}
