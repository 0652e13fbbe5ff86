package report

import (
	"strconv"
	"time"
	"unicode/utf8"
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

// appendJSONString appends s as a JSON string, escaping it as
// encoding/json does except for HTML characters, which need no escaping in
// a report. Invalid UTF-8 becomes U+FFFD.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
