package report

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func TestRetryPath(t *testing.T) {
	tests := []struct {
		report string
		jsonl  bool
		want   string
	}{
		{"dir/nov.report.csv", false, "dir/nov.report.retry.csv"},
		{"dir/nov.report.csv", true, "dir/nov.report.retry.jsonl"},
		{"nov.report.jsonl", false, "nov.report.retry.csv"},
		{"out", true, "out.retry.jsonl"},
	}
	for _, tt := range tests {
		if got := RetryPath(tt.report, tt.jsonl); got != tt.want {
			t.Errorf("RetryPath(%q, %v) = %q, want %q", tt.report, tt.jsonl, got, tt.want)
		}
	}
}

// retryRows is a run's rows: two need retrying in each action, the rest
// do not.
var retryRows = []Row{
	{Line: 2, MembershipID: "mem_a", Action: "add_free_days", Days: 30, Status: "applied", Extra: []string{"a@x", "ok"}},
	{Line: 3, MembershipID: "mem_b", Action: "add_free_days", Days: 7, Status: "failed", HTTPStatus: 404,
		Error: "Membership not found", Extra: []string{"b@x", "=sum(1), \"quoted\"\nnext line"}},
	{Line: 4, MembershipID: "mem_c", Action: "update_metadata", Metadata: json.RawMessage(`{"tier":"gold","n":1,"tag":"<b>&"}`),
		Status: "unknown", Error: "timed out", Extra: []string{"c@x"}},
	{Line: 5, MembershipID: "mem_d", Action: "update_metadata", Metadata: json.RawMessage(`{"k":null}`), Status: "skipped"},
	{Line: 6, MembershipID: "mem_e", Action: "add_free_days", Days: 1095, Status: "unknown", Extra: []string{"", "-5"}},
	{Line: 7, MembershipID: "mem_f", Action: "add_free_days", Days: 3, Status: "pending"},
}

// writeRetry writes rows to a retry file at path and commits it.
func writeRetry(t *testing.T, path string, in RetryInput, rows []Row) *RetryWriter {
	t.Helper()
	w, err := CreateRetry(path, in)
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
	return w
}

func TestRetryCSVRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		in   RetryInput
		want [][]string
	}{
		{"the input's column order", RetryInput{
			Columns: []string{"email", "days", "membership_id", "metadata", "note"}, Extra: []string{"email", "note"},
		}, [][]string{
			{"email", "days", "membership_id", "metadata", "note"},
			{"b@x", "7", "mem_b", "", "=sum(1), \"quoted\"\nnext line"},
			{"c@x", "", "mem_c", `{"tier":"gold","n":1,"tag":"<b>&"}`, ""},
			{"", "1095", "mem_e", "", "-5"},
		}},
		{"no header known", RetryInput{Extra: []string{"email", "note"}}, [][]string{
			{"membership_id", "days", "metadata", "email", "note"},
			{"mem_b", "7", "", "b@x", "=sum(1), \"quoted\"\nnext line"},
			{"mem_c", "", `{"tier":"gold","n":1,"tag":"<b>&"}`, "c@x", ""},
			{"mem_e", "1095", "", "", "-5"},
		}},
		{"carried columns left out of the header follow it", RetryInput{
			Columns: []string{"days", "metadata", "membership_id"}, Extra: []string{"email", "note"},
		}, [][]string{
			{"days", "metadata", "membership_id", "email", "note"},
			{"7", "", "mem_b", "b@x", "=sum(1), \"quoted\"\nnext line"},
			{"", `{"tier":"gold","n":1,"tag":"<b>&"}`, "mem_c", "c@x", ""},
			{"1095", "", "mem_e", "", "-5"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "nov.report.retry.csv")
			w := writeRetry(t, path, tt.in, retryRows)
			if got := readCSV(t, path); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("retry file\n got %q\nwant %q", got, tt.want)
			}
			if w.Rows() != 3 {
				t.Errorf("Rows() = %d, want 3", w.Rows())
			}
		})
	}
}

func TestRetryJSONLRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nov.report.retry.jsonl")
	in := RetryInput{JSONL: true, Columns: []string{"membership_id", "note", "days", "metadata", "email"}, Extra: []string{"email", "note"}}
	writeRetry(t, path, in, retryRows)
	want := []struct {
		keys []string
		obj  map[string]any
	}{
		{[]string{"membership_id", "note", "days", "email"},
			map[string]any{"membership_id": "mem_b", "note": "=sum(1), \"quoted\"\nnext line", "days": 7.0, "email": "b@x"}},
		{[]string{"membership_id", "note", "metadata", "email"},
			map[string]any{"membership_id": "mem_c", "note": "", "metadata": map[string]any{"tier": "gold", "n": 1.0, "tag": "<b>&"}, "email": "c@x"}},
		{[]string{"membership_id", "note", "days", "email"},
			map[string]any{"membership_id": "mem_e", "note": "-5", "days": 1095.0, "email": ""}},
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	var i int
	for ; sc.Scan(); i++ {
		var got map[string]any
		if err := json.Unmarshal(sc.Bytes(), &got); err != nil {
			t.Fatalf("line %d: %v: %s", i+1, err, sc.Bytes())
		}
		if i >= len(want) {
			continue
		}
		if !reflect.DeepEqual(got, want[i].obj) {
			t.Errorf("line %d\n got %v\nwant %v", i+1, got, want[i].obj)
		}
		if keys := jsonKeyOrder(t, sc.Bytes()); !slices.Equal(keys, want[i].keys) {
			t.Errorf("line %d keys %q, want %q", i+1, keys, want[i].keys)
		}
	}
	if i != len(want) {
		t.Errorf("%d lines, want %d", i, len(want))
	}
	if data, _ := os.ReadFile(path); !strings.Contains(string(data), `"tag":"<b>&"`) {
		t.Errorf("metadata not kept as the input wrote it: %s", data)
	}
}

func TestRetryNoRowsRemovesFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "nov.report.retry.csv")
	if err := os.WriteFile(path, []byte("membership_id,days\nmem_old,1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	writeRetry(t, path, RetryInput{}, retryRows[:1]) // applied only
	if names := dirNames(t, dir); len(names) != 0 {
		t.Errorf("after a commit with no rows, dir holds %q, want nothing", names)
	}
	writeRetry(t, path, RetryInput{}, nil) // nothing to remove: no error
}

func TestRetryReplacesAtomically(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "r.retry.csv")
	if err := os.WriteFile(path, []byte("old\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	w, err := CreateRetry(path, RetryInput{})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(retryRows[1]); err != nil {
		t.Fatal(err)
	}
	assertContent(t, path, "old\n")
	w.Abort()
	assertContent(t, path, "old\n")
	if names := dirNames(t, dir); !slices.Equal(names, []string{"r.retry.csv"}) {
		t.Errorf("after Abort, dir holds %q", names)
	}
	w = writeRetry(t, path, RetryInput{}, retryRows)
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm != 0o600 {
		t.Errorf("retry file mode %o, want 600", perm)
	}
	if err := w.Write(retryRows[1]); err != ErrClosed {
		t.Errorf("Write after Commit = %v, want ErrClosed", err)
	}
}

func TestRetryErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := CreateRetry(filepath.Join(dir, "a.csv"), RetryInput{Columns: []string{"membership_id", "days", "mystery"}}); err == nil {
		t.Error("CreateRetry with a column neither known nor carried: got nil error")
	}
	tests := []struct {
		name string
		in   RetryInput
		row  Row
	}{
		{"metadata row without its metadata", RetryInput{}, Row{Line: 2, MembershipID: "mem_a", Action: "update_metadata", Status: "failed"}},
		{"no metadata column", RetryInput{Columns: []string{"membership_id", "days"}},
			Row{Line: 2, MembershipID: "mem_a", Action: "update_metadata", Metadata: json.RawMessage(`{}`), Status: "failed"}},
		{"no days column", RetryInput{JSONL: true, Columns: []string{"membership_id", "metadata"}},
			Row{Line: 2, MembershipID: "mem_a", Action: "add_free_days", Days: 1, Status: "unknown"}},
		{"no action", RetryInput{}, Row{Line: 2, MembershipID: "mem_a", Status: "failed"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "r.retry.csv")
			w, err := CreateRetry(path, tt.in)
			if err != nil {
				t.Fatal(err)
			}
			defer w.Abort()
			if err := w.Write(tt.row); err == nil {
				t.Fatal("Write: got nil error")
			}
			if err := w.Commit(); err == nil {
				t.Error("Commit after a failed Write: got nil error")
			}
			if _, err := os.Stat(path); !os.IsNotExist(err) {
				t.Errorf("a retry file was left: %v", err)
			}
		})
	}
}
