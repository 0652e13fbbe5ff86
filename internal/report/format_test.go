package report

import (
	"slices"
	"testing"
)

func TestHeader(t *testing.T) {
	fixed := func(extra ...string) []string { return append(slices.Clone(Columns), extra...) }
	tests := []struct {
		name  string
		extra []string
		want  []string
	}{
		{"no carried columns", nil, fixed()},
		{"carried columns follow in order", []string{"email", "note"}, fixed("email", "note")},
		{"clash with a fixed column", []string{"status", "email"}, fixed("input_status", "email")},
		{"renamed name taken by another carried column", []string{"status", "input_status"}, fixed("input_input_status", "input_status")},
		{"renamed name taken, later column", []string{"input_line", "line"}, fixed("input_line", "input_input_line")},
		{"carried name repeated", []string{"note", "note"}, fixed("note", "input_note")},
		{"every fixed column", Columns, fixed(
			"input_line", "input_membership_id", "input_action", "input_days", "input_status", "input_http_status",
			"input_error", "input_warning", "input_previous_period_end", "input_period_end",
			"input_membership_status", "input_attempts")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Header(tt.extra)
			if !slices.Equal(got, tt.want) {
				t.Errorf("Header(%q)\n got %q\nwant %q", tt.extra, got, tt.want)
			}
			seen := map[string]bool{}
			for _, h := range got {
				if seen[h] {
					t.Errorf("Header(%q) repeats %q", tt.extra, h)
				}
				seen[h] = true
			}
		})
	}
}

func ptr(v int64) *int64 { return &v }

func TestFormatTime(t *testing.T) {
	tests := []struct {
		name string
		sec  *int64
		want string
	}{
		{"nil is empty", nil, ""},
		{"epoch", ptr(0), "1970-01-01T00:00:00Z"},
		{"contract example", ptr(1796083200), "2026-12-01T00:00:00Z"},
		{"seconds kept", ptr(1796083200 + 3661), "2026-12-01T01:01:01Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := formatTime(tt.sec); got != tt.want {
				t.Errorf("formatTime = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestNeutralise(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"", ""},
		{"=1+1", "'=1+1"},
		{"+1", "'+1"},
		{"-1", "'-1"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\tx", "'\tx"},
		{"\rx", "'\rx"},
		{"'already", "'already"},
		{"mem_abc", "mem_abc"},
		{"a=b", "a=b"},
		{" =x", " =x"},
		{"2026-12-01T00:00:00Z", "2026-12-01T00:00:00Z"},
		{"42", "42"},
		{"héllo", "héllo"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := neutralise(tt.in); got != tt.want {
				t.Errorf("neutralise(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
