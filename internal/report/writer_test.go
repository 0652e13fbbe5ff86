package report

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// writeReport writes rows to a fresh report named name in a temporary
// directory and returns its path.
func writeReport(t *testing.T, name string, extra []string, rows ...Row) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	w, err := Create(path, extra)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	for _, r := range rows {
		if err := w.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	return path
}

func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

func TestWriteCSV(t *testing.T) {
	applied := Row{
		Line: 2, MembershipID: "mem_a", Action: "add_free_days", Days: 30, Status: "applied", HTTPStatus: 201,
		Warning: "membership is canceled", PreviousPeriodEnd: ptr(1793491200), PeriodEnd: ptr(1796083200),
		MembershipStatus: "canceled", Attempts: 1, Extra: []string{"a@example.com", "vip"},
	}
	failed := Row{
		Line: 3, MembershipID: "mem_b", Action: "update_metadata", Status: "failed",
		Error: "membership not found", HTTPStatus: 404, Attempts: 3, Extra: []string{"b@example.com", "says \"hi\", twice"},
	}
	unknown := Row{Line: 4, MembershipID: "mem_c", Action: "add_free_days", Days: 7, Status: "unknown", Extra: []string{"c@example.com"}}
	path := writeReport(t, "rows.report.csv", []string{"email", "status"}, applied, failed, unknown)

	want := [][]string{
		append(slices.Clone(Columns), "email", "input_status"),
		{"2", "mem_a", "add_free_days", "30", "applied", "201", "", "membership is canceled", "2026-11-01T00:00:00Z",
			"2026-12-01T00:00:00Z", "canceled", "1", "a@example.com", "vip"},
		{"3", "mem_b", "update_metadata", "", "failed", "404", "membership not found", "", "", "", "", "3",
			"b@example.com", "says \"hi\", twice"},
		{"4", "mem_c", "add_free_days", "7", "unknown", "", "", "", "", "", "", "0", "c@example.com", ""},
	}
	got := readCSV(t, path)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("report\n got %q\nwant %q", got, want)
	}
}

func TestWriteCSVHeaderOnly(t *testing.T) {
	path := writeReport(t, "empty.report.csv", nil)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(data), strings.Join(Columns, ",")+"\n"; got != want {
		t.Errorf("empty report = %q, want %q", got, want)
	}
}

func TestWriteCSVNeutralisesFormulas(t *testing.T) {
	tests := []struct {
		name string
		row  Row
		col  string
		want string
	}{
		{"error column", Row{Error: "=HYPERLINK(\"http://x\")"}, "error", "'=HYPERLINK(\"http://x\")"},
		{"error starting with minus", Row{Error: "-1 days"}, "error", "'-1 days"},
		{"status column", Row{Status: "@x"}, "status", "'@x"},
		{"membership id column", Row{MembershipID: "+mem"}, "membership_id", "'+mem"},
		{"action column", Row{Action: "\tadd"}, "action", "'\tadd"},
		{"carried plus", Row{Extra: []string{"+33 1 23"}}, "phone", "'+33 1 23"},
		{"carried at", Row{Extra: []string{"", "@cmd"}}, "note", "'@cmd"},
		{"carried carriage return", Row{Extra: []string{"", "\rx"}}, "note", "'\rx"},
		{"carried clash renamed", Row{Extra: []string{"", "", "=1"}}, "input_status", "'=1"},
		{"ordinary carried value", Row{Extra: []string{"a-b=c@d"}}, "phone", "a-b=c@d"},
		{"ordinary error", Row{Error: "rate limited (429)"}, "error", "rate limited (429)"},
		{"dates untouched", Row{PeriodEnd: ptr(1796083200)}, "period_end", "2026-12-01T00:00:00Z"},
		{"warning column", Row{Warning: "=x"}, "warning", "'=x"},
		{"numbers untouched", Row{Line: 9, Attempts: 2}, "attempts", "2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeReport(t, "r.csv", []string{"phone", "note", "status"}, tt.row)
			recs := readCSV(t, path)
			i := slices.Index(recs[0], tt.col)
			if i < 0 {
				t.Fatalf("no column %q in %q", tt.col, recs[0])
			}
			if got := recs[1][i]; got != tt.want {
				t.Errorf("%s = %q, want %q", tt.col, got, tt.want)
			}
		})
	}
}

func TestWriteCSVNeutralisesHeader(t *testing.T) {
	path := writeReport(t, "r.csv", []string{"=cmd", "'=cmd", "note"})
	want := append(slices.Clone(Columns), "'=cmd", "input_'=cmd", "note")
	if got := readCSV(t, path)[0]; !slices.Equal(got, want) {
		t.Errorf("header\n got %q\nwant %q", got, want)
	}
}

func TestWriteJSONL(t *testing.T) {
	rows := []Row{
		{
			Line: 1, MembershipID: "mem_a", Action: "add_free_days", Days: 30, Status: "applied", HTTPStatus: 201,
			PreviousPeriodEnd: ptr(1793491200), PeriodEnd: ptr(1796083200), MembershipStatus: "active", Attempts: 1,
			Extra: []string{"=not a formula here", "x"},
		},
		{Line: 2, MembershipID: "mem_b", Action: "update_metadata", Status: "unknown", Error: "line\nbreak \"q\"", Attempts: 2},
	}
	path := writeReport(t, "rows.report.jsonl", []string{"note", "status"}, rows...)
	want := []map[string]any{
		{
			"line": 1.0, "membership_id": "mem_a", "action": "add_free_days", "days": 30.0, "status": "applied",
			"http_status": 201.0, "error": "", "warning": "", "previous_period_end": "2026-11-01T00:00:00Z",
			"period_end": "2026-12-01T00:00:00Z", "membership_status": "active",
			"attempts": 1.0, "note": "=not a formula here", "input_status": "x",
		},
		{
			"line": 2.0, "membership_id": "mem_b", "action": "update_metadata", "days": nil, "status": "unknown",
			"http_status": nil, "error": "line\nbreak \"q\"", "warning": "", "previous_period_end": nil, "period_end": nil,
			"membership_status": "", "attempts": 2.0,
			"note": "", "input_status": "",
		},
	}

	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	var i int
	for ; sc.Scan(); i++ {
		line := sc.Bytes()
		var got map[string]any
		if err := json.Unmarshal(line, &got); err != nil {
			t.Fatalf("line %d: %v: %s", i+1, err, line)
		}
		if i < len(want) && !reflect.DeepEqual(got, want[i]) {
			t.Errorf("line %d\n got %v\nwant %v", i+1, got, want[i])
		}
		if i == 0 {
			if got, want := jsonKeyOrder(t, line), Header([]string{"note", "status"}); !slices.Equal(got, want) {
				t.Errorf("key order\n got %q\nwant %q", got, want)
			}
		}
	}
	if i != len(want) {
		t.Errorf("%d lines, want %d", i, len(want))
	}
}

// jsonKeyOrder is the keys of a JSON object in the order written.
func jsonKeyOrder(t *testing.T, obj []byte) []string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(obj))
	var keys []string
	if _, err := dec.Token(); err != nil {
		t.Fatal(err)
	}
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, k.(string))
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}

func TestWriteExtraCount(t *testing.T) {
	w, err := Create(filepath.Join(t.TempDir(), "r.csv"), []string{"a"})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	if err := w.Write(Row{Line: 1, Extra: []string{"x", "y"}}); err == nil {
		t.Error("Write with more carried values than columns: got nil error")
	}
	if err := w.Write(Row{Line: 2}); err != nil {
		t.Errorf("Write with fewer carried values: %v", err)
	}
}

// dirNames lists the names in dir.
func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func TestCommitIsAtomic(t *testing.T) {
	for _, name := range []string{"rows.report.csv", "rows.report.jsonl"} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, name)
			if err := os.WriteFile(path, []byte("old\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			w, err := Create(path, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer w.Abort()
			for i := range 5000 {
				if err := w.Write(Row{Line: i + 1, MembershipID: "mem_x", Status: "applied"}); err != nil {
					t.Fatal(err)
				}
			}
			assertContent(t, path, "old\n")
			names := dirNames(t, dir)
			if len(names) != 2 {
				t.Fatalf("before Commit, dir holds %q, want the report and one temporary file", names)
			}
			for _, n := range names {
				if n != name && !strings.HasPrefix(n, "."+name+".tmp-") {
					t.Errorf("unexpected file %q", n)
				}
			}

			if err := w.Commit(); err != nil {
				t.Fatal(err)
			}
			if got := dirNames(t, dir); !slices.Equal(got, []string{name}) {
				t.Errorf("after Commit, dir holds %q, want only %q", got, name)
			}
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if got := bytes.Count(data, []byte("\n")); got < 5000 {
				t.Errorf("report has %d lines, want at least 5000", got)
			}
			w.Abort() // no-op after Commit
			if _, err := os.Stat(path); err != nil {
				t.Errorf("Abort after Commit: %v", err)
			}
			if err := w.Write(Row{}); !errors.Is(err, ErrClosed) {
				t.Errorf("Write after Commit = %v, want ErrClosed", err)
			}
			if err := w.Commit(); !errors.Is(err, ErrClosed) {
				t.Errorf("second Commit = %v, want ErrClosed", err)
			}
		})
	}
}

func TestAbortKeepsOldReport(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "rows.report.csv")
	if err := os.WriteFile(path, []byte("old\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	w, err := Create(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(Row{Line: 1}); err != nil {
		t.Fatal(err)
	}
	w.Abort()
	w.Abort()
	assertContent(t, path, "old\n")
	if got := dirNames(t, dir); !slices.Equal(got, []string{"rows.report.csv"}) {
		t.Errorf("after Abort, dir holds %q", got)
	}
	if err := w.Commit(); !errors.Is(err, ErrClosed) {
		t.Errorf("Commit after Abort = %v, want ErrClosed", err)
	}
}

func TestCommitFailureLeavesNothing(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, w *Writer, path string)
	}{
		{"rename fails", func(t *testing.T, w *Writer, path string) {
			// A non-empty directory cannot be replaced by a file.
			if err := os.Mkdir(path, 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(path, "keep"), nil, 0o600); err != nil {
				t.Fatal(err)
			}
		}},
		{"file lost", func(t *testing.T, w *Writer, path string) {
			w.f.Close()
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "r.csv")
			w, err := Create(path, nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := w.Write(Row{Line: 1}); err != nil {
				t.Fatal(err)
			}
			tt.setup(t, w, path)
			if err := w.Commit(); err == nil {
				t.Fatal("Commit succeeded, want an error")
			}
			for _, n := range dirNames(t, dir) {
				if n != "r.csv" {
					t.Errorf("left behind %q", n)
				}
			}
			if fi, err := os.Stat(path); err == nil && !fi.IsDir() {
				t.Errorf("a report was left at %s", path)
			}
		})
	}
}

func assertContent(t *testing.T, path, want string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(data) != want {
		t.Errorf("%s = %q, want %q", path, data, want)
	}
}

// TestWriteJSONLBytes pins the exact bytes of JSON lines: key order, null
// for unknown values, <, > and & left as they are, control characters and
// U+2028 escaped (testdata/report.golden.jsonl).
func TestWriteJSONLBytes(t *testing.T) {
	rows := []Row{
		{Line: 1, MembershipID: "mem_a", Action: "add_free_days", Days: 30, Status: "applied", HTTPStatus: 201,
			PreviousPeriodEnd: ptr(1793491200), PeriodEnd: ptr(1796083200), MembershipStatus: "active", Attempts: 1,
			Extra: []string{"=not <a> & formula here", "x"}},
		{Line: 2, MembershipID: "mem_b", Action: "update_metadata", Status: "unknown", Error: "line\nbreak \"q\" \u2028 \x01 é <>&", Attempts: 2},
		{Line: 3, MembershipID: "mem_c", Status: "failed", Extra: []string{"\t\\/"}},
	}
	path := writeReport(t, "rows.report.jsonl", []string{"note<", "status"}, rows...)
	want, err := os.ReadFile(filepath.Join("testdata", "report.golden.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	assertContent(t, path, string(want))
}
