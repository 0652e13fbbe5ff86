package report

import (
	"strconv"
	"time"
)

// Header is the report's column names for the given carried input columns:
// Columns, then the carried names. A carried name that would repeat a name
// already in the header (an input column of its own called "status", say)
// is written as "input_<name>", prefixed again until it is unique.
func Header(extra []string) []string {
	reserved := make(map[string]bool, len(Columns)+len(extra))
	fixed := make(map[string]bool, len(Columns))
	for _, c := range Columns {
		reserved[c], fixed[c] = true, true
	}
	for _, e := range extra {
		reserved[e] = true
	}
	header := append(make([]string, 0, len(Columns)+len(extra)), Columns...)
	used := make(map[string]bool, len(extra))
	for _, name := range extra {
		if fixed[name] || used[name] {
			name = "input_" + name
			for reserved[name] || used[name] {
				name = "input_" + name
			}
		}
		used[name] = true
		header = append(header, name)
	}
	return header
}

// formatTime is a Unix time in RFC 3339, UTC; nil is empty.
func formatTime(sec *int64) string {
	if sec == nil {
		return ""
	}
	return time.Unix(*sec, 0).UTC().Format(time.RFC3339)
}

// formatNonZero is n in decimal, or empty when n is 0.
func formatNonZero(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}

// neutralise makes a CSV cell safe to open in a spreadsheet: a cell that
// begins with a character a spreadsheet reads as the start of a formula
// (=, +, -, @, tab, carriage return) gets a leading single quote.
func neutralise(cell string) string {
	if cell == "" {
		return cell
	}
	switch cell[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + cell
	}
	return cell
}
