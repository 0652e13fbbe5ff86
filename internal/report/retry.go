package report

import (
	"bulk/internal/outcome"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strconv"
)

// The input's own columns, as the retry file writes them.
const (
	colID       = "membership_id"
	colDays     = "days"
	colMetadata = "metadata"
)

// RetryPath is the retry file beside a report: the report path without its
// extension plus ".retry.csv", or ".retry.jsonl" when the input is JSON
// lines (x.report.csv gives x.report.retry.csv).
func RetryPath(report string, jsonl bool) string {
	if jsonl {
		return trimExt(report) + ".retry.jsonl"
	}
	return trimExt(report) + ".retry.csv"
}

// RetryInput describes the input file that a retry file is cut from.
type RetryInput struct {
	JSONL bool
	// Columns is the input's header (JSON lines: its keys) in order,
	// membership_id, days and metadata by those names. Nil gives
	// membership_id, days, metadata, then Extra.
	Columns []string
	// Extra is the carried names, in the order of Row.Extra. Those
	// missing from Columns are written after the others.
	Extra []string
}

// RetryWriter writes the failed and unknown rows of a run to the retry
// file, in the input's format and column order, so that the file is an
// input of its own: `bulk FILE.retry.csv` sends them again. Cells are
// written as the input held them, not neutralised as the report's are,
// since the file must read back as the same rows. In JSON lines a row has
// only the key of its action (days or metadata), and carried values are
// strings, as the report shows them.
//
// Like Writer, it writes a hidden temporary file and Commit renames it over
// the path; a commit with no rows removes the path instead, so that a retry
// file beside a report always holds the rows that report lists as failed
// or unknown, and no file means there are none. It is not safe for
// concurrent use; callers should defer Abort.
type RetryWriter struct {
	tempFile
	line  lineEncoder // JSON lines
	cols  []string    // the retry file's columns
	extra []int       // for each column, its index in Row.Extra, or -1
	rows  int
	err   error
}

// CreateRetry starts a retry file at path for an input described by in.
// A column of in.Columns that is neither one of the input's own nor a
// carried name is an error.
func CreateRetry(path string, in RetryInput) (*RetryWriter, error) {
	cols, extra, err := retryColumns(in)
	if err != nil {
		return nil, fmt.Errorf("retry file %s: %w", path, err)
	}
	t, err := newTempFile(path, 4096)
	if err != nil {
		return nil, err
	}
	w := &RetryWriter{tempFile: t, cols: cols, extra: extra}
	if in.JSONL {
		return w, nil
	}
	w.csv = csv.NewWriter(w.bw)
	if err := w.csv.Write(cols); err != nil {
		w.abort()
		return nil, fmt.Errorf("write retry file %s: %w", path, err)
	}
	return w, nil
}

// retryColumns is the retry file's columns and, for each, its index in
// Row.Extra (-1 for the input's own columns).
func retryColumns(in RetryInput) ([]string, []int, error) {
	cols := in.Columns
	if cols == nil {
		cols = []string{colID, colDays, colMetadata}
	}
	if !slices.Contains(cols, colID) {
		cols = append([]string{colID}, cols...)
	}
	for _, name := range in.Extra {
		if !slices.Contains(cols, name) {
			cols = append(slices.Clip(cols), name)
		}
	}
	extra := make([]int, len(cols))
	for i, name := range cols {
		extra[i] = slices.Index(in.Extra, name)
		own := name == colID || name == colDays || name == colMetadata
		if !own && extra[i] < 0 {
			return nil, nil, fmt.Errorf("column %q is neither membership_id, days, metadata nor a carried column", name)
		}
	}
	return cols, extra, nil
}

// Write adds r to the retry file if it failed or is unknown, and ignores
// it otherwise.
func (w *RetryWriter) Write(r Row) error {
	if w.closed {
		return ErrClosed
	}
	if w.err != nil {
		return w.err
	}
	if r.Status != outcome.Failed && r.Status != outcome.Unknown {
		return nil
	}
	var err error
	if w.csv != nil {
		err = w.writeCSV(r)
	} else {
		err = w.writeJSON(r)
	}
	if err != nil {
		w.err = fmt.Errorf("write retry file %s: %w", w.path, err)
		return w.err
	}
	w.rows++
	return nil
}

// Rows is how many rows were written.
func (w *RetryWriter) Rows() int { return w.rows }

// Path is where Commit puts the file.
func (w *RetryWriter) Path() string { return w.path }

// cell is the value of the retry file's column i for r, and whether r has
// one: a days row has no metadata, a metadata row no days.
func (w *RetryWriter) cell(r Row, i int) (any, bool, error) {
	switch w.cols[i] {
	case colID:
		return r.MembershipID, true, nil
	case colDays:
		return r.Days, r.Action == "add_free_days", nil
	case colMetadata:
		if r.Action == "update_metadata" && len(r.Metadata) == 0 {
			return nil, false, fmt.Errorf("line %d: an update_metadata row without its metadata", r.Line)
		}
		return r.Metadata, r.Action == "update_metadata", nil
	}
	if j := w.extra[i]; j < len(r.Extra) {
		return r.Extra[j], true, nil
	}
	return "", true, nil
}

// check says whether the file has the column r's action needs.
func (w *RetryWriter) check(r Row) error {
	need := map[string]string{"add_free_days": colDays, "update_metadata": colMetadata}[r.Action]
	if need == "" {
		return fmt.Errorf("line %d: unknown action %q", r.Line, r.Action)
	}
	if !slices.Contains(w.cols, need) {
		return fmt.Errorf("line %d: the input has no %s column", r.Line, need)
	}
	return nil
}

func (w *RetryWriter) writeCSV(r Row) error {
	if err := w.check(r); err != nil {
		return err
	}
	rec := make([]string, len(w.cols))
	for i := range w.cols {
		v, ok, err := w.cell(r, i)
		if err != nil {
			return err
		}
		if ok {
			rec[i] = csvText(v)
		}
	}
	return w.csv.Write(rec)
}

// csvText is a retry cell's text: days in decimal, metadata as the JSON
// the input held, carried values as they are.
func csvText(v any) string {
	switch v := v.(type) {
	case int:
		return strconv.Itoa(v)
	case json.RawMessage:
		return string(v)
	}
	return v.(string)
}

func (w *RetryWriter) writeJSON(r Row) error {
	if err := w.check(r); err != nil {
		return err
	}
	o := make(object, 0, len(w.cols))
	for i, name := range w.cols {
		v, ok, err := w.cell(r, i)
		if err != nil {
			return err
		}
		if ok {
			o = append(o, member{name, v})
		}
	}
	w.line.buf.Reset()
	if err := w.line.encode(o); err != nil {
		return err
	}
	_, err := w.bw.Write(w.line.buf.Bytes())
	return err
}

// Commit makes the retry file: with rows, it flushes, fsyncs and renames
// the temporary file over the path; with none, it removes the temporary
// file and any retry file an earlier run left at the path.
func (w *RetryWriter) Commit() error {
	if w.closed {
		return ErrClosed
	}
	if w.err != nil {
		w.Abort()
		return w.err
	}
	if w.rows == 0 {
		w.Abort()
		if err := os.Remove(w.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("remove the old retry file: %w", err)
		}
		return nil
	}
	return w.commit("retry file")
}

// Abort removes the temporary file, leaving the path as it was. It does
// nothing after Commit or a previous Abort.
func (w *RetryWriter) Abort() { w.abort() }
