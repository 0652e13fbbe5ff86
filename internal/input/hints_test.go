package input

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"unicode/utf16"
)

// scanString scans content written to a file named name.
func scanString(t *testing.T, name, content string) *Scan {
	t.Helper()
	path := writeInput(t, name, content)
	f, err := FormatOf(path, "")
	if err != nil {
		t.Fatal(err)
	}
	s, err := ScanFile(path, f, false)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// A header that spells a known column in another case, with spaces
// around it, or with a space for an underscore is that column.
func TestHeaderVariants(t *testing.T) {
	tests := []struct {
		header    string
		wantExtra []string
	}{
		{"Membership ID,Days", nil},
		{"membership id,days", nil},
		{"MEMBERSHIP_ID,DAYS", nil},
		{" membership_id , days ", nil},
		{"Membership  Id,Days,Note", []string{"Note"}},
		{"\"Membership ID\",\" Days \",team name", []string{"team name"}},
	}
	for _, tt := range tests {
		t.Run(tt.header, func(t *testing.T) {
			extra := strings.Repeat(",x", len(tt.wantExtra))
			s := scanString(t, "in.csv", tt.header+"\nmem_a,7"+extra+"\nmem_b,30"+extra+"\n")
			if s.ProblemCount != 0 {
				t.Fatalf("problems: %q", problemStrings(s))
			}
			if s.Rows != 2 || s.Days != 37 || !reflect.DeepEqual(s.Extra, tt.wantExtra) {
				t.Errorf("rows %d, days %d, carried %q; want 2, 37, %q", s.Rows, s.Days, s.Extra, tt.wantExtra)
			}
			rows, _ := readAll(t, "in.csv", CSV, s.Extra)
			if len(rows) != 2 || rows[0].MembershipID != "mem_a" || rows[1].Days != 30 {
				t.Errorf("rows %+v", rows)
			}
		})
	}
}

// A header that names no known column says which column it may have
// meant; one separated by semicolons says how to save it with commas.
func TestHeaderHints(t *testing.T) {
	const semicolons = `in.csv:1: header is separated by ";", not "," (found: "membership_id;days"); save the file as "CSV UTF-8 (Comma delimited)" or separate the columns with commas`
	tests := []struct {
		name, header string
		want         []string
	}{
		{"membership_id misspelled", "member_id,days",
			[]string{`in.csv:1: header has no membership_id column (found: "member_id", "days"); did you mean membership_id instead of "member_id"?`}},
		{"membership_id run together", "MembershipID,days",
			[]string{`in.csv:1: header has no membership_id column (found: "MembershipID", "days"); did you mean membership_id instead of "MembershipID"?`}},
		{"days singular", "membership_id,note,day",
			[]string{`in.csv:1: header has neither a days nor a metadata column (found: "membership_id", "note", "day"); did you mean days instead of "day"?`}},
		{"metadata misspelled", "membership_id,Meta_Data",
			[]string{`in.csv:1: header has neither a days nor a metadata column (found: "membership_id", "Meta_Data"); did you mean metadata instead of "Meta_Data"?`}},
		{"nothing close", "id,note",
			[]string{
				`in.csv:1: header has no membership_id column (found: "id", "note")`,
				`in.csv:1: header has neither a days nor a metadata column (found: "id", "note")`,
			}},
		{"a known column twice", "membership_id,days,Days",
			[]string{`in.csv:1: header has the days column twice ("days" and "Days")`}},
		{"semicolons", "membership_id;days", []string{semicolons}},
		{"semicolons, quoted", `"membership_id;days"`, []string{semicolons}},
		{"a semicolon in a name of a comma-separated header", "membership_id,days,a;b", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := scanString(t, "in.csv", tt.header+"\nmem_a,1,x\n") // rows are read only after a good header
			if got := problemStrings(s); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("problems:\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

// utf16LE encodes s as UTF-16, little-endian.
func utf16LE(s string) string {
	var b strings.Builder
	for _, u := range utf16.Encode([]rune(s)) {
		b.WriteByte(byte(u))
		b.WriteByte(byte(u >> 8))
	}
	return b.String()
}

// utf16BE encodes s as UTF-16, big-endian.
func utf16BE(s string) string {
	var b strings.Builder
	for _, u := range utf16.Encode([]rune(s)) {
		b.WriteByte(byte(u >> 8))
		b.WriteByte(byte(u))
	}
	return b.String()
}

// A UTF-16 file is refused with a hint on saving it as UTF-8; a UTF-8
// byte-order mark is not a problem.
func TestEncodingHints(t *testing.T) {
	const (
		csvRows   = "membership_id,days\r\nmem_a,1\r\n"
		jsonlRows = "{\"membership_id\":\"mem_a\",\"days\":1}\n"
		csvHint   = `in.csv:1: the file is UTF-16; save it as UTF-8 (e.g. "CSV UTF-8" in Excel, or iconv -f UTF-16 -t UTF-8)`
		jsonlHint = `in.jsonl:1: the file is UTF-16; save it as UTF-8 (e.g. iconv -f UTF-16 -t UTF-8)`
	)
	tests := []struct {
		name, file, content string
		want                []string
	}{
		{"csv UTF-16LE with a byte-order mark", "in.csv", "\xFF\xFE" + utf16LE(csvRows), []string{csvHint}},
		{"csv UTF-16BE with a byte-order mark", "in.csv", "\xFE\xFF" + utf16BE(csvRows), []string{csvHint}},
		{"csv UTF-16LE without a byte-order mark", "in.csv", utf16LE(csvRows), []string{csvHint}},
		{"jsonl UTF-16LE with a byte-order mark", "in.jsonl", "\xFF\xFE" + utf16LE(jsonlRows), []string{jsonlHint}},
		{"jsonl UTF-16BE without a byte-order mark", "in.jsonl", utf16BE(jsonlRows), []string{jsonlHint}},
		{"csv NUL in the first line", "in.csv", "membership_id,days\x00\nmem_a,1\n", []string{csvHint}},
		{"csv UTF-8 with a byte-order mark", "in.csv", "\uFEFF" + csvRows, nil},
		{"jsonl UTF-8 with a byte-order mark", "in.jsonl", "\uFEFF" + jsonlRows, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := scanString(t, tt.file, tt.content)
			if got := problemStrings(s); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("problems:\n got %q\nwant %q", got, tt.want)
			}
			if tt.want == nil && s.Rows != 1 {
				t.Errorf("%d rows, want 1", s.Rows)
			}
		})
	}
}

// Problems are counted by kind, all of them, the most frequent first.
func TestProblemKinds(t *testing.T) {
	var b strings.Builder
	b.WriteString("membership_id,days\n")
	for i := range 300 {
		switch {
		case i%3 == 0:
			fmt.Fprintf(&b, "mem_%d,0\n", i) // 100 bad days
		case i%10 == 1:
			fmt.Fprintf(&b, "bad%d,5\n", i) // 20 bad IDs
		case i == 2:
			fmt.Fprintf(&b, "x,5000\n") // a bad ID and bad days
		default:
			fmt.Fprintf(&b, "mem_%d,1\n", i)
		}
	}
	b.WriteString("mem_4,1\n")
	s := scanString(t, "in.csv", b.String())
	want := []ProblemKind{
		{"days must be a whole number from 1 to 1095", 101},
		{"membership_id must be mem_ followed by letters and digits", 21},
		{"membership_id already appears on an earlier line for the same action", 1},
	}
	if got := s.ProblemKinds(); !reflect.DeepEqual(got, want) {
		t.Errorf("ProblemKinds:\n got %v\nwant %v", got, want)
	}
	if s.ProblemCount != 123 || len(s.Problems) != MaxProblems {
		t.Errorf("%d problems, %d listed; want 123, %d", s.ProblemCount, len(s.Problems), MaxProblems)
	}
}
