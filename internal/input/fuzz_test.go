package input

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"regexp"
	"testing"
)

// The fuzz targets feed arbitrary bytes to the scan and then to Rows. They
// must never panic, and every row either one hands out must hold the
// promises the rest of bulk relies on.

func FuzzCSV(f *testing.F) {
	f.Add([]byte("membership_id,days,metadata\nmem_a,1,\nmem_b,,{}\n"))
	f.Add([]byte("\uFEFFnote,membership_id,metadata\r\nx,mem_a,\"{\"\"a\"\": \"\"b,\nc\"\"}\"\r\n"))
	f.Add([]byte("membership_id,days\nmem_a,1,2\n\"mem_b\",0\nmem_\xff,3\n"))
	fuzzInput(f, CSV)
}

func FuzzJSONL(f *testing.F) {
	f.Add([]byte("{\"membership_id\":\"mem_a\",\"days\":1}\n\n{\"membership_id\":\"mem_b\",\"metadata\":{\"a\":[1,{\"b\":\"c\"}]}}\n"))
	f.Add([]byte("{\"membership_id\":\"mem_a\",\"days\":1,\"n\":{\"x\":1},\"t\":true}\r\n{\"membership_id\":\"mem_a\",\"days\":7.0} x\n{\"a"))
	fuzzInput(f, JSONL)
}

var idPattern = regexp.MustCompile(`^mem_[A-Za-z0-9]+$`)

func fuzzInput(f *testing.F, format Format) {
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := scan("in", bytes.NewReader(data), format, false)
		if err != nil {
			t.Fatalf("scan: %v", err)
		}
		sum := sha256.Sum256(data)
		if s.SHA256 != hex.EncodeToString(sum[:]) {
			t.Fatalf("SHA256 = %s, want the file's", s.SHA256)
		}
		if len(s.Problems) > MaxProblems || s.ProblemCount < len(s.Problems) {
			t.Fatalf("%d problems listed, %d counted", len(s.Problems), s.ProblemCount)
		}
		if s.ProblemCount == 0 && s.Rows == 0 {
			t.Fatalf("a file without rows passed")
		}
		for i, p := range s.Problems {
			if p.Line < 1 || i > 0 && p.Line < s.Problems[i-1].Line {
				t.Fatalf("problem %d at line %d, after line %d", i, p.Line, s.Problems[max(i-1, 0)].Line)
			}
		}
		r, err := newRows("in", bytes.NewReader(data), format, s.Extra)
		if err != nil {
			t.Fatalf("newRows: %v", err)
		}
		n := 0
		for {
			row, err := r.Next()
			if err == io.EOF {
				break
			}
			var pe *ProblemError
			if errors.As(err, &pe) && s.ProblemCount > 0 {
				break
			}
			if err != nil {
				t.Fatalf("Next after a clean scan: %v", err)
			}
			checkRowInvariants(t, row, len(s.Extra))
			n++
		}
		if s.ProblemCount == 0 && (n != s.Rows || r.SHA256() != s.SHA256) {
			t.Fatalf("Rows yielded %d rows (sha %s), the scan counted %d (sha %s)", n, r.SHA256(), s.Rows, s.SHA256)
		}
	})
}

func checkRowInvariants(t *testing.T, row Row, extra int) {
	t.Helper()
	if !idPattern.MatchString(row.MembershipID) || len(row.MembershipID) > maxIDLen {
		t.Fatalf("row with membership_id %q", row.MembershipID)
	}
	if row.Line < 1 || len(row.Extra) != extra {
		t.Fatalf("row at line %d with %d carried values, want %d", row.Line, len(row.Extra), extra)
	}
	switch row.Action {
	case AddFreeDays:
		if row.Days < minDays || row.Days > maxDays || row.Metadata != nil {
			t.Fatalf("add_free_days row with days %d, metadata %s", row.Days, row.Metadata)
		}
	case UpdateMetadata:
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(row.Metadata, &obj); err != nil || obj == nil || len(obj) > maxMetaKeys || row.Days != 0 {
			t.Fatalf("update_metadata row with metadata %s (%v), days %d", row.Metadata, err, row.Days)
		}
		var compact bytes.Buffer
		json.Compact(&compact, row.Metadata)
		if !bytes.Equal(compact.Bytes(), row.Metadata) {
			t.Fatalf("metadata %s is not compact", row.Metadata)
		}
	default:
		t.Fatalf("row with action %q", row.Action)
	}
}
