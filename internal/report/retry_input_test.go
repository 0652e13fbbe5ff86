package report_test

import (
	"encoding/json"
	"io"
	"path/filepath"
	"reflect"
	"testing"

	"bulk/internal/input"
	"bulk/internal/report"
)

// TestRetryFileIsInput reads a retry file back through the input's own
// validation: it must be a clean input holding exactly the failed and
// unknown rows.
func TestRetryFileIsInput(t *testing.T) {
	extra := []string{"email", "note"}
	rows := []report.Row{
		{Line: 2, MembershipID: "mem_ok", Action: "add_free_days", Days: 5, Status: "applied"},
		{Line: 3, MembershipID: "mem_b", Action: "add_free_days", Days: 7, Status: "failed", Extra: []string{"b@x", "=1, \"q\""}},
		{Line: 4, MembershipID: "mem_c", Action: "update_metadata", Metadata: json.RawMessage(`{"tier":"gold","n":[1,2]}`),
			Status: "unknown", Extra: []string{"c@x", ""}},
	}
	want := []input.Row{
		{Line: 2, MembershipID: "mem_b", Action: input.AddFreeDays, Days: 7, Extra: []string{"b@x", "=1, \"q\""}},
		{Line: 3, MembershipID: "mem_c", Action: input.UpdateMetadata, Metadata: json.RawMessage(`{"tier":"gold","n":[1,2]}`),
			Extra: []string{"c@x", ""}},
	}
	for _, format := range []input.Format{input.CSV, input.JSONL} {
		t.Run(string(format), func(t *testing.T) {
			jsonl := format == input.JSONL
			path := report.RetryPath(filepath.Join(t.TempDir(), "nov.report.csv"), jsonl)
			w, err := report.CreateRetry(path, report.RetryInput{JSONL: jsonl, Extra: extra})
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
			scan, err := input.ScanFile(path, format, true)
			if err != nil {
				t.Fatal(err)
			}
			if scan.ProblemCount != 0 || scan.Rows != 2 || !reflect.DeepEqual(scan.Extra, extra) {
				t.Fatalf("scan: %d rows, carried %q, problems %v; want 2 rows, %q, none", scan.Rows, scan.Extra, scan.Problems, extra)
			}
			rs, err := scan.Open()
			if err != nil {
				t.Fatal(err)
			}
			defer rs.Close()
			for i := 0; ; i++ {
				got, err := rs.Next()
				if err == io.EOF {
					if i != len(want) {
						t.Errorf("%d rows, want %d", i, len(want))
					}
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				if jsonl {
					got.Line++ // JSON lines have no header line
				}
				if i < len(want) && !reflect.DeepEqual(got, want[i]) {
					t.Errorf("row %d\n got %+v\nwant %+v", i+1, got, want[i])
				}
			}
		})
	}
}
