package input

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// writeInput writes content to name in a fresh directory and makes that
// the working directory, so problems read "name:LINE: ...".
func writeInput(t *testing.T, name, content string) string {
	t.Helper()
	dir := t.TempDir()
	t.Chdir(dir)
	if err := os.WriteFile(name, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return name
}

func problemStrings(s *Scan) []string {
	var out []string
	for _, p := range s.Problems {
		out = append(out, p.String())
	}
	return out
}

// readAll streams every row of a scanned file.
func readAll(t *testing.T, path string, f Format, extra []string) ([]Row, string) {
	t.Helper()
	r, err := OpenRows(path, f, extra)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var rows []Row
	for {
		row, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("Next: %v", err)
		}
		rows = append(rows, row)
	}
	return rows, r.SHA256()
}

func sha(content string) string {
	sum := sha256.Sum256([]byte(content))
	return hex.EncodeToString(sum[:])
}

func TestFormatOf(t *testing.T) {
	tests := []struct {
		path, override string
		want           Format
		wantErr        bool
	}{
		{"a.csv", "", CSV, false},
		{"dir/A.CSV", "", CSV, false},
		{"a.jsonl", "", JSONL, false},
		{"a.JsonL", "", JSONL, false},
		{"a.txt", "", "", true},
		{"a", "", "", true},
		{"a.txt", "csv", CSV, false},
		{"a.csv", "jsonl", JSONL, false},
		{"a.csv", "xml", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.path+"/"+tt.override, func(t *testing.T) {
			got, err := FormatOf(tt.path, tt.override)
			if got != tt.want || (err != nil) != tt.wantErr {
				t.Errorf("FormatOf(%q, %q) = %q, %v; want %q, error %v", tt.path, tt.override, got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestInputAccepted(t *testing.T) {
	pretty := "{\n  \"note\": \"a, \\\"b\\\"\",\n  \"n\": 1.50\n}"
	tests := []struct {
		name, file, content string
		want                []Row
		wantExtra           []string
		wantMemberships     int
	}{
		{
			name: "csv plain", file: "in.csv",
			content: "membership_id,days\nmem_a,7\nmem_B9,1095\n",
			want: []Row{
				{Line: 2, MembershipID: "mem_a", Action: AddFreeDays, Days: 7},
				{Line: 3, MembershipID: "mem_B9", Action: AddFreeDays, Days: 1095},
			},
			wantMemberships: 2,
		},
		{
			name: "csv byte-order mark and CRLF", file: "in.csv",
			content: "\uFEFFmembership_id,days\r\nmem_a,1\r\n\r\nmem_b,2",
			want: []Row{
				{Line: 2, MembershipID: "mem_a", Action: AddFreeDays, Days: 1},
				{Line: 4, MembershipID: "mem_b", Action: AddFreeDays, Days: 2},
			},
			wantMemberships: 2,
		},
		{
			name: "csv quoted metadata with commas, quotes and newlines", file: "in.csv",
			content: "membership_id,days,metadata\n" +
				"mem_a,,\"" + strings.ReplaceAll(pretty, `"`, `""`) + "\"\n" +
				"mem_a,3,\n" +
				"mem_b,,\"{\"\"k\"\":[1,{\"\"x\"\":null}]}\"\r\n",
			want: []Row{
				{Line: 2, MembershipID: "mem_a", Action: UpdateMetadata, Metadata: []byte(`{"note":"a, \"b\"","n":1.50}`)},
				{Line: 6, MembershipID: "mem_a", Action: AddFreeDays, Days: 3},
				{Line: 7, MembershipID: "mem_b", Action: UpdateMetadata, Metadata: []byte(`{"k":[1,{"x":null}]}`)},
			},
			wantMemberships: 2,
		},
		{
			name: "csv carried columns", file: "in.csv",
			content: "note,membership_id,metadata,team\nhello,mem_a,{},red\n,mem_b,\"{\"\"a\"\":\"\"=1\"\"}\",\n",
			want: []Row{
				{Line: 2, MembershipID: "mem_a", Action: UpdateMetadata, Metadata: []byte(`{}`), Extra: []string{"hello", "red"}},
				{Line: 3, MembershipID: "mem_b", Action: UpdateMetadata, Metadata: []byte(`{"a":"=1"}`), Extra: []string{"", ""}},
			},
			wantExtra:       []string{"note", "team"},
			wantMemberships: 2,
		},
		{
			name: "csv limits at their edge", file: "in.csv",
			content: "membership_id,days,metadata\n" +
				"mem_" + strings.Repeat("x", 60) + ",1,\n" +
				"mem_b,,\"" + strings.ReplaceAll(manyKeys(50, 1), `"`, `""`) + "\"\n" +
				"mem_c,,\"{\"\"" + strings.Repeat("é", 100) + "\"\":\"\"" + strings.Repeat("ü", 500) + "\"\"}\"\n",
			want: []Row{
				{Line: 2, MembershipID: "mem_" + strings.Repeat("x", 60), Action: AddFreeDays, Days: 1},
				{Line: 3, MembershipID: "mem_b", Action: UpdateMetadata, Metadata: []byte(manyKeys(50, 1))},
				{Line: 4, MembershipID: "mem_c", Action: UpdateMetadata, Metadata: []byte(`{"` + strings.Repeat("é", 100) + `":"` + strings.Repeat("ü", 500) + `"}`)},
			},
			wantMemberships: 3,
		},
		{
			name: "jsonl plain with blank lines", file: "in.jsonl",
			content: "{\"membership_id\":\"mem_a\",\"days\":7}\n\n   \t\n" +
				"{ \"days\" : 30 , \"membership_id\" : \"mem_b\" }\r\n" +
				"{\"membership_id\":\"mem_a\",\"metadata\":{\"z\":1,\"a\":{\"b\":[true, \"x\"]}}}",
			want: []Row{
				{Line: 1, MembershipID: "mem_a", Action: AddFreeDays, Days: 7},
				{Line: 4, MembershipID: "mem_b", Action: AddFreeDays, Days: 30},
				{Line: 5, MembershipID: "mem_a", Action: UpdateMetadata, Metadata: []byte(`{"z":1,"a":{"b":[true,"x"]}}`)},
			},
			wantMemberships: 2,
		},
		{
			name: "jsonl carried keys of mixed types", file: "in.jsonl",
			content: `{"membership_id":"mem_a","days":1,"note":"hi \u00e9","n":1.5e3}` + "\n" +
				`{"flag":true,"membership_id":"mem_b","days":2,"obj":{"a": [1, 2]},"n":null}` + "\n" +
				`{"membership_id":"mem_c","days":3}` + "\n",
			want: []Row{
				{Line: 1, MembershipID: "mem_a", Action: AddFreeDays, Days: 1, Extra: []string{"hi é", "1.5e3", "", ""}},
				{Line: 2, MembershipID: "mem_b", Action: AddFreeDays, Days: 2, Extra: []string{"", "null", "true", `{"a":[1,2]}`}},
				{Line: 3, MembershipID: "mem_c", Action: AddFreeDays, Days: 3, Extra: []string{"", "", "", ""}},
			},
			wantExtra:       []string{"note", "n", "flag", "obj"},
			wantMemberships: 3,
		},
		{
			name: "jsonl byte-order mark", file: "in.jsonl",
			content: "\uFEFF{\"membership_id\":\"mem_a\",\"days\":1}\n",
			want: []Row{
				{Line: 1, MembershipID: "mem_a", Action: AddFreeDays, Days: 1},
			},
			wantMemberships: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeInput(t, tt.file, tt.content)
			f, err := FormatOf(path, "")
			if err != nil {
				t.Fatal(err)
			}
			s, err := ScanFile(path, f, false)
			if err != nil {
				t.Fatal(err)
			}
			if s.ProblemCount != 0 {
				t.Fatalf("problems: %q", problemStrings(s))
			}
			if s.Rows != len(tt.want) {
				t.Errorf("Rows = %d, want %d", s.Rows, len(tt.want))
			}
			perAction := map[Action]int{}
			var days int64
			for _, r := range tt.want {
				perAction[r.Action]++
				days += int64(r.Days)
			}
			if !reflect.DeepEqual(s.PerAction, perAction) || s.Days != days {
				t.Errorf("PerAction, Days = %v, %d; want %v, %d", s.PerAction, s.Days, perAction, days)
			}
			if s.Memberships != tt.wantMemberships {
				t.Errorf("Memberships = %d, want %d", s.Memberships, tt.wantMemberships)
			}
			if !reflect.DeepEqual(s.Extra, tt.wantExtra) {
				t.Errorf("Extra = %q, want %q", s.Extra, tt.wantExtra)
			}
			if s.SHA256 != sha(tt.content) {
				t.Errorf("SHA256 = %s, want %s", s.SHA256, sha(tt.content))
			}
			rows, sum := readAll(t, path, f, s.Extra)
			if len(rows) != s.Rows {
				t.Errorf("OpenRows yielded %d rows, ScanFile counted %d", len(rows), s.Rows)
			}
			for i := range max(len(rows), len(tt.want)) {
				var got, want Row
				if i < len(rows) {
					got = rows[i]
				}
				if i < len(tt.want) {
					want = tt.want[i]
				}
				if fmt.Sprintf("%+v|%s", got, got.Metadata) != fmt.Sprintf("%+v|%s", want, want.Metadata) {
					t.Errorf("row %d:\n got %+v %s\nwant %+v %s", i, got, got.Metadata, want, want.Metadata)
				}
			}
			if sum != s.SHA256 {
				t.Errorf("Rows.SHA256 = %s, want %s", sum, s.SHA256)
			}
		})
	}
}

// manyKeys is a metadata object with n keys, each value a string of size
// runes.
func manyKeys(n, size int) string {
	var b strings.Builder
	b.WriteString("{")
	for i := range n {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `"k%d":"%s"`, i, strings.Repeat("v", size))
	}
	b.WriteString("}")
	return b.String()
}

func TestInputRefused(t *testing.T) {
	long := strings.Repeat("x", 2<<20)
	csvDays := func(v string) string { return "membership_id,days\nmem_a,1\nmem_b," + v + "\n" }
	csvMeta := func(v string) string {
		return "membership_id,metadata\nmem_a,{}\nmem_b,\"" + strings.ReplaceAll(v, `"`, `""`) + "\"\n"
	}
	jsonDays := func(v string) string {
		return "{\"membership_id\":\"mem_a\",\"days\":1}\n{\"membership_id\":\"mem_b\",\"days\":" + v + "}\n"
	}
	jsonMeta := func(v string) string {
		return "{\"membership_id\":\"mem_a\",\"days\":1}\n{\"membership_id\":\"mem_b\",\"metadata\":" + v + "}\n"
	}
	const daysMsg = "days must be a whole number from 1 to 1095, got "
	tests := []struct {
		name, file, content string
		want                []string
	}{
		// The file as a whole.
		{"csv empty file", "in.csv", "", []string{"in.csv:1: empty file"}},
		{"csv byte-order mark only", "in.csv", "\uFEFF", []string{"in.csv:1: empty file"}},
		{"csv header only", "in.csv", "membership_id,days\n", []string{"in.csv:1: no data rows"}},
		{"csv blank lines only", "in.csv", "\n\r\n\n", []string{"in.csv:1: no data rows"}},
		{"jsonl empty file", "in.jsonl", "", []string{"in.jsonl:1: empty file"}},
		{"jsonl blank lines only", "in.jsonl", "\n  \n", []string{"in.jsonl:1: no data rows"}},

		// CSV header.
		{"csv misspelled membership_id", "in.csv", "member_id,days\nmem_a,1\nbad,row,here\n",
			[]string{`in.csv:1: header has no membership_id column (found: "member_id", "days"); did you mean membership_id instead of "member_id"?`}},
		{"csv no days or metadata column", "in.csv", "membership_id,note\nmem_a,1\n",
			[]string{`in.csv:1: header has neither a days nor a metadata column (found: "membership_id", "note")`}},
		{"csv duplicate column", "in.csv", "membership_id,days,note,note\nmem_a,1,,\n",
			[]string{`in.csv:1: header has the column "note" twice`}},
		{"csv empty column name", "in.csv", "membership_id,days,\nmem_a,1,x\n",
			[]string{`in.csv:1: header has an empty column name (column 3)`}},
		{"csv spaced column name", "in.csv", "membership_id,da ys\nmem_a,1\n",
			[]string{`in.csv:1: header column "da ys" looks like days but has spaces or invisible characters`}},
		{"csv invisible column name", "in.csv", "membership_id\u200b,days\nmem_a,1\n",
			[]string{`in.csv:1: header column "membership_id\u200b" looks like membership_id but has spaces or invisible characters`}},
		{"csv header not UTF-8", "in.csv", "membership_id,days,n\xffote\nmem_a,1,x\n",
			[]string{`in.csv:1: header is not valid UTF-8 (column 3)`}},
		{"csv header after blank lines", "in.csv", "\n\nmember_id,days\nmem_a,1\n",
			[]string{`in.csv:3: header has no membership_id column (found: "member_id", "days"); did you mean membership_id instead of "member_id"?`}},

		// CSV records.
		{"csv ragged rows", "in.csv", "membership_id,days\nmem_a,1\nmem_b,2,3\nmem_c\nmem_d,4\n", []string{
			"in.csv:3: row has 3 fields, the header has 2",
			"in.csv:4: row has 1 field, the header has 2",
		}},
		{"csv bare quote", "in.csv", "membership_id,days\nmem_a,1\nmem_\"b,2\nmem_c,3\n", []string{
			`in.csv:3: invalid csv: bare " in non-quoted-field`,
		}},
		{"csv unterminated quote", "in.csv", "membership_id,days\nmem_a,1\n\"mem_b,2\nmem_c,3\n", []string{
			`in.csv:3: invalid csv: extraneous or missing " in quoted-field`,
		}},
		{"csv not UTF-8", "in.csv", "membership_id,days,note\nmem_a,1,ok\nmem_b,2,caf\xe9\n", []string{
			"in.csv:3: row is not valid UTF-8 (column 3)",
		}},
		{"csv record over 1 MiB", "in.csv", "membership_id,days,note\nmem_a,1,x\nmem_b,2," + long + "\nmem_c,0,x\n", []string{
			"in.csv:3: record is longer than 1 MiB; stopped reading the file here",
		}},
		{"csv quoted record over 1 MiB", "in.csv", "membership_id,days,note\nmem_a,1,x\n\n\"" + strings.Repeat("mem_b\n", 200_000) + "\",2,x\nmem_c,0,x\n", []string{
			"in.csv:4: record is longer than 1 MiB; stopped reading the file here",
		}},
		{"csv days 7.0", "in.csv", csvDays("7.0"), []string{`in.csv:3: ` + daysMsg + `"7.0"`}},
		{"csv days 7e0", "in.csv", csvDays("7e0"), []string{`in.csv:3: ` + daysMsg + `"7e0"`}},
		{"csv days spaced", "in.csv", csvDays(" 7 "), []string{`in.csv:3: ` + daysMsg + `" 7 "`}},
		{"csv days -1", "in.csv", csvDays("-1"), []string{`in.csv:3: ` + daysMsg + `"-1"`}},
		{"csv days +1", "in.csv", csvDays("+1"), []string{`in.csv:3: ` + daysMsg + `"+1"`}},
		{"csv days 0", "in.csv", csvDays("0"), []string{`in.csv:3: ` + daysMsg + `"0"`}},
		{"csv days 1096", "in.csv", csvDays("1096"), []string{`in.csv:3: ` + daysMsg + `"1096"`}},
		{"csv days abc", "in.csv", csvDays("abc"), []string{`in.csv:3: ` + daysMsg + `"abc"`}},
		{"csv days huge", "in.csv", csvDays("99999999999999999999999999"), []string{`in.csv:3: ` + daysMsg + `"99999999999999999999999999"`}},
		{"csv days unicode digit", "in.csv", csvDays("٣"), []string{`in.csv:3: ` + daysMsg + `"\u0663"`}},
		{"csv metadata array", "in.csv", csvMeta(`[1]`), []string{"in.csv:3: metadata must be a JSON object, got an array"}},
		{"csv metadata string", "in.csv", csvMeta(`"x"`), []string{"in.csv:3: metadata must be a JSON object, got a string"}},
		{"csv metadata null", "in.csv", csvMeta(`null`), []string{"in.csv:3: metadata must be a JSON object, got null"}},
		{"csv metadata not JSON", "in.csv", csvMeta(`{a:1}`), []string{"in.csv:3: metadata is not valid JSON: invalid character 'a' looking for beginning of object key string"}},
		{"csv metadata trailing data", "in.csv", csvMeta(`{} {}`), []string{"in.csv:3: metadata is not valid JSON: invalid character '{' after top-level value"}},
		{"csv metadata 51 keys", "in.csv", csvMeta(manyKeys(51, 1)), []string{"in.csv:3: metadata has more than 50 keys"}},
		{"csv metadata 101-character key", "in.csv", csvMeta(`{"` + strings.Repeat("k", 101) + `":1}`),
			[]string{`in.csv:3: metadata key "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk..." is longer than 100 characters`}},
		{"csv metadata 501-character value", "in.csv", csvMeta(`{"a":"` + strings.Repeat("v", 501) + `"}`),
			[]string{`in.csv:3: metadata value at key "a" is longer than 500 characters`}},
		{"csv metadata nested 501-character value", "in.csv", csvMeta(`{"a":{"b":[1,"` + strings.Repeat("\\u00e9", 501) + `"]}}`),
			[]string{`in.csv:3: metadata value at key "b" is longer than 500 characters`}},
		{"csv metadata duplicate key", "in.csv", csvMeta(`{"a":1,"\u0061":2}`), []string{`in.csv:3: metadata has the key "a" twice`}},
		{"csv metadata nested duplicate key", "in.csv", csvMeta(`{"a":{"b":1,"b":2}}`), []string{`in.csv:3: metadata has the key "b" twice`}},
		{"csv both and neither", "in.csv", "membership_id,days,metadata\nmem_a,1,{}\nmem_b,,\n", []string{
			"in.csv:2: row has both days and metadata; give exactly one",
			"in.csv:3: row has neither days nor metadata; give exactly one",
		}},
		{"csv duplicates", "in.csv", "membership_id,days,metadata\nmem_a,1,\nmem_a,,{}\nmem_a,2,\nmem_b,,{}\nmem_b,,{}\n", []string{
			"in.csv:4: mem_a already appears on line 2 for add_free_days",
			"in.csv:6: mem_b already appears on line 5 for update_metadata",
		}},
		{"csv every problem of a row", "in.csv", "membership_id,days\nbad,0\n", []string{
			`in.csv:2: membership_id "bad" must be mem_ followed by letters and digits`,
			`in.csv:2: ` + daysMsg + `"0"`,
		}},
		{"csv membership_id missing", "in.csv", "membership_id,days\n,1\n", []string{"in.csv:2: membership_id is missing"}},
		{"csv membership_id look-alike", "in.csv", "membership_id,days\nmem_\u0430bc,1\n",
			[]string{`in.csv:2: membership_id "mem_\u0430bc" must be mem_ followed by letters and digits`}},
		{"csv membership_id spaced", "in.csv", "membership_id,days\nmem_a ,1\n",
			[]string{`in.csv:2: membership_id "mem_a " must be mem_ followed by letters and digits`}},
		{"csv membership_id too long", "in.csv", "membership_id,days\nmem_" + strings.Repeat("x", 61) + ",1\n",
			[]string{`in.csv:2: membership_id "mem_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx..." is longer than 64 characters`}},

		// JSONL lines.
		{"jsonl trailing garbage", "in.jsonl", "{\"membership_id\":\"mem_a\",\"days\":1} x\n",
			[]string{"in.jsonl:1: line is not valid JSON: invalid character 'x' after top-level value"}},
		{"jsonl two objects on a line", "in.jsonl", "{\"membership_id\":\"mem_a\",\"days\":1}{}\n",
			[]string{"in.jsonl:1: line is not valid JSON: invalid character '{' after top-level value"}},
		{"jsonl truncated last line", "in.jsonl", "{\"membership_id\":\"mem_a\",\"days\":1}\n\n{\"membership_id\":\"mem_b\",\"da",
			[]string{"in.jsonl:3: line is not valid JSON: unexpected end of JSON input (the last line has no line break: is the file cut short?)"}},
		{"jsonl not an object", "in.jsonl", "[1,2]\n\"mem_a\"\n", []string{
			"in.jsonl:1: line must be a JSON object, got an array",
			"in.jsonl:2: line must be a JSON object, got a string",
		}},
		{"jsonl duplicate key", "in.jsonl", "{\"membership_id\":\"mem_a\",\"days\":1,\"days\":2}\n",
			[]string{`in.jsonl:1: line has the key "days" twice`}},
		{"jsonl not UTF-8", "in.jsonl", "{\"membership_id\":\"mem_a\",\"days\":1}\n{\"membership_id\":\"mem_b\",\"days\":1,\"n\":\"\xff\"}\n",
			[]string{"in.jsonl:2: line is not valid UTF-8"}},
		{"jsonl line over 1 MiB", "in.jsonl", "{\"membership_id\":\"mem_a\",\"days\":1}\n{\"membership_id\":\"mem_b\",\"days\":1,\"n\":\"" + long + "\"}\n[]\n",
			[]string{"in.jsonl:2: line is longer than 1 MiB; stopped reading the file here"}},
		{"jsonl days 7.0", "in.jsonl", jsonDays("7.0"), []string{"in.jsonl:2: " + daysMsg + "7.0"}},
		{"jsonl days 7e0", "in.jsonl", jsonDays("7e0"), []string{"in.jsonl:2: " + daysMsg + "7e0"}},
		{"jsonl days string", "in.jsonl", jsonDays(`"7"`), []string{"in.jsonl:2: " + daysMsg + `"7"`}},
		{"jsonl days null", "in.jsonl", jsonDays("null"), []string{"in.jsonl:2: " + daysMsg + "null"}},
		{"jsonl days -1", "in.jsonl", jsonDays("-1"), []string{"in.jsonl:2: " + daysMsg + "-1"}},
		{"jsonl days 0", "in.jsonl", jsonDays("0"), []string{"in.jsonl:2: " + daysMsg + "0"}},
		{"jsonl days 1096", "in.jsonl", jsonDays("1096"), []string{"in.jsonl:2: " + daysMsg + "1096"}},
		{"jsonl metadata null", "in.jsonl", jsonMeta("null"), []string{"in.jsonl:2: metadata must be a JSON object, got null"}},
		{"jsonl metadata array", "in.jsonl", jsonMeta("[]"), []string{"in.jsonl:2: metadata must be a JSON object, got an array"}},
		{"jsonl metadata string", "in.jsonl", jsonMeta(`"{}"`), []string{"in.jsonl:2: metadata must be a JSON object, got a string"}},
		{"jsonl metadata 51 keys", "in.jsonl", jsonMeta(manyKeys(51, 1)), []string{"in.jsonl:2: metadata has more than 50 keys"}},
		{"jsonl metadata 501-character value", "in.jsonl", jsonMeta(`{"a":"` + strings.Repeat("v", 501) + `"}`),
			[]string{`in.jsonl:2: metadata value at key "a" is longer than 500 characters`}},
		{"jsonl membership_id not a string", "in.jsonl", "{\"membership_id\":12,\"days\":1}\n",
			[]string{"in.jsonl:1: membership_id must be a string, got 12"}},
		{"jsonl membership_id empty", "in.jsonl", "{\"membership_id\":\"\",\"days\":1}\n{\"days\":1}\n", []string{
			"in.jsonl:1: membership_id is missing",
			"in.jsonl:2: membership_id is missing",
		}},
		{"jsonl both and neither", "in.jsonl", "{\"membership_id\":\"mem_a\",\"days\":1,\"metadata\":{}}\n{\"membership_id\":\"mem_b\"}\n", []string{
			"in.jsonl:1: row has both days and metadata; give exactly one",
			"in.jsonl:2: row has neither days nor metadata; give exactly one",
		}},
		{"jsonl duplicates", "in.jsonl", "{\"membership_id\":\"mem_a\",\"days\":1}\n{\"membership_id\":\"mem_a\",\"metadata\":{}}\n\n{\"membership_id\":\"mem_a\",\"days\":5}\n",
			[]string{"in.jsonl:4: mem_a already appears on line 1 for add_free_days"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeInput(t, tt.file, tt.content)
			f, _ := FormatOf(path, "")
			s, err := ScanFile(path, f, false)
			if err != nil {
				t.Fatal(err)
			}
			got := problemStrings(s)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("problems:\n got %q\nwant %q", got, tt.want)
			}
			if s.ProblemCount != len(tt.want) {
				t.Errorf("ProblemCount = %d, want %d", s.ProblemCount, len(tt.want))
			}
			if s.SHA256 != sha(tt.content) {
				t.Errorf("SHA256 = %s, want %s", s.SHA256, sha(tt.content))
			}
		})
	}
}

func TestScanProblemLimit(t *testing.T) {
	var b strings.Builder
	b.WriteString("membership_id,days\n")
	for i := range 300 {
		if i%6 == 5 {
			fmt.Fprintf(&b, "mem_%d,1\n", i)
		} else {
			fmt.Fprintf(&b, "mem_%d,0\n", i)
		}
	}
	path := writeInput(t, "in.csv", b.String())
	s, err := ScanFile(path, CSV, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Problems) != MaxProblems || s.ProblemCount != 250 || s.Rows != 50 {
		t.Fatalf("listed %d problems, counted %d, %d rows; want %d, 250, 50", len(s.Problems), s.ProblemCount, s.Rows, MaxProblems)
	}
	for i := 1; i < len(s.Problems); i++ {
		if s.Problems[i].Line <= s.Problems[i-1].Line {
			t.Fatalf("problems out of line order: %v after %v", s.Problems[i], s.Problems[i-1])
		}
	}
	if got, want := s.Problems[0].String(), "in.csv:2: days must be a whole number from 1 to 1095, got \"0\""; got != want {
		t.Errorf("first problem = %q, want %q", got, want)
	}
}

func TestScanFileMissing(t *testing.T) {
	_, err := ScanFile(filepath.Join(t.TempDir(), "nope.csv"), CSV, false)
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("ScanFile of a missing file: %v, want os.ErrNotExist", err)
	}
}

func TestRowsProblems(t *testing.T) {
	tests := []struct {
		name, file, content string
		extra               []string
		rows                int // rows before the problem
		want                string
	}{
		{"csv bad row", "in.csv", "membership_id,days\nmem_a,1\nmem_b,0\nmem_c,1\n", nil, 1,
			`in.csv:3: days must be a whole number from 1 to 1095, got "0"`},
		{"csv columns changed", "in.csv", "membership_id,days,note\nmem_a,1,x\n", []string{"team"}, 0,
			"in.csv:1: the columns changed since the file was checked"},
		{"jsonl key not scanned", "in.jsonl", "{\"membership_id\":\"mem_a\",\"days\":1,\"note\":1}\n{\"membership_id\":\"mem_b\",\"days\":1,\"team\":1}\n", []string{"note"}, 1,
			`in.jsonl:2: key "team" was not in the file when it was checked`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeInput(t, tt.file, tt.content)
			f, _ := FormatOf(path, "")
			r, err := OpenRows(path, f, tt.extra)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			n := 0
			for ; ; n++ {
				_, err = r.Next()
				if err != nil {
					break
				}
			}
			var pe *ProblemError
			if !errors.As(err, &pe) || pe.Error() != tt.want || n != tt.rows {
				t.Fatalf("after %d rows: %v; want %d rows, then %s", n, err, tt.rows, tt.want)
			}
			if _, again := r.Next(); again != err {
				t.Errorf("Next after a problem = %v, want the same problem", again)
			}
		})
	}
}

func TestInputLineLimit(t *testing.T) {
	csvRow := func(size int) string {
		prefix := "mem_b,2,"
		return "membership_id,days,note\nmem_a,1,x\n" + prefix + strings.Repeat("n", size-len(prefix)) + "\nmem_c,3,x\n"
	}
	jsonlRow := func(size int) string {
		prefix, suffix := `{"membership_id":"mem_b","days":2,"note":"`, `"}`
		return "{\"membership_id\":\"mem_a\",\"days\":1}\n" + prefix + strings.Repeat("n", size-len(prefix)-len(suffix)) + suffix + "\r\n{\"membership_id\":\"mem_c\",\"days\":3}"
	}
	tests := []struct {
		name, file, content string
		want                []string
	}{
		{"csv record of 1 MiB", "in.csv", csvRow(maxLineBytes), nil},
		{"csv record over 1 MiB", "in.csv", csvRow(maxLineBytes + 2), []string{"in.csv:3: record is longer than 1 MiB; stopped reading the file here"}},
		// The limit counts a line break (up to CRLF), so a last record
		// without one may use those two bytes.
		{"csv last record at the limit without a line break", "in.csv", strings.TrimSuffix(csvRow(maxLineBytes+2), "\nmem_c,3,x\n"), nil},
		{"csv header over 1 MiB", "in.csv", "membership_id,days," + strings.Repeat("n", maxLineBytes) + "\n", []string{"in.csv:1: header is longer than 1 MiB; stopped reading the file here"}},
		{"jsonl line of 1 MiB", "in.jsonl", jsonlRow(maxLineBytes), nil},
		{"jsonl line over 1 MiB", "in.jsonl", jsonlRow(maxLineBytes + 1), []string{"in.jsonl:2: line is longer than 1 MiB; stopped reading the file here"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeInput(t, tt.file, tt.content)
			f, _ := FormatOf(path, "")
			s, err := ScanFile(path, f, false)
			if err != nil {
				t.Fatal(err)
			}
			if got := problemStrings(s); strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("problems:\n got %q\nwant %q", got, tt.want)
			}
			if s.SHA256 != sha(tt.content) {
				t.Errorf("SHA256 is not the file's")
			}
		})
	}
}

// The second reading refuses a duplicate too: a file changed in place
// during a run could otherwise repeat a row the journal's index does not
// yet know, and send it twice.
func TestRowsRecheckDuplicates(t *testing.T) {
	path := writeInput(t, "in.csv", "membership_id,days\nmem_a,1\nmem_a,2\n")
	r, err := OpenRows(path, CSV, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if _, err := r.Next(); err != nil {
		t.Fatal(err)
	}
	var pe *ProblemError
	if _, err := r.Next(); !errors.As(err, &pe) || pe.Line != 3 {
		t.Errorf("second mem_a row: %v, want a problem on line 3", err)
	}
}

// Reading a scanned file again stops where the scan stopped: rows appended
// during a run are not read (nor sent).
func TestScanOpenReadsOnlyWhatWasChecked(t *testing.T) {
	path := writeInput(t, "in.csv", "membership_id,days\nmem_a,1\nmem_b,2\n")
	s, err := ScanFile(path, CSV, false)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("mem_apx1,7\nmem_a,9\n")
	f.Close()
	r, err := s.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var ids []string
	for {
		row, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, row.MembershipID)
	}
	if want := []string{"mem_a", "mem_b"}; !slices.Equal(ids, want) {
		t.Errorf("rows %v, want %v", ids, want)
	}
	if r.SHA256() != s.SHA256 {
		t.Error("the bytes read again are not the bytes scanned")
	}
}
