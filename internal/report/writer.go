package report

import (
	"encoding/csv"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
)

// bufferSize is large enough that a report of a million rows is written in
// a few thousand system calls.
const bufferSize = 1 << 20

// ErrClosed is returned by Write and Commit after Commit or Abort.
var ErrClosed = errors.New("report writer already closed")

// Writer streams report rows, in the order they are written, to a hidden
// temporary file beside the report; Commit makes that file the report in one
// rename. Until then the report path keeps whatever it held before. A Writer
// is not safe for concurrent use. Callers should defer Abort, which removes
// the temporary file unless Commit succeeded.
type Writer struct {
	tempFile
	line   lineEncoder // JSON lines
	obj    object      // JSON lines: the header's names, reused for every row
	nextra int
	rec    []string // CSV: reused for every row
	err    error    // first write error; the report cannot be committed after it
}

// Create starts a report at path for rows that carry the input columns
// named extra. A path ending in ".jsonl" gives JSON lines, anything else CSV
// with a header row (see Header for the column names).
func Create(path string, extra []string) (*Writer, error) {
	t, err := newTempFile(path, bufferSize)
	if err != nil {
		return nil, err
	}
	w := &Writer{tempFile: t, nextra: len(extra)}
	if strings.EqualFold(filepath.Ext(path), ".jsonl") {
		for _, name := range Header(extra) {
			w.obj = append(w.obj, member{key: name})
		}
		return w, nil
	}
	// Carried names are cells too: neutralise them before making them unique.
	safe := make([]string, len(extra))
	for i, name := range extra {
		safe[i] = neutralise(name)
	}
	header := Header(safe)
	w.csv = csv.NewWriter(w.bw)
	w.rec = make([]string, len(header))
	if err := w.csv.Write(header); err != nil {
		w.abort()
		return nil, fmt.Errorf("write report %s: %w", path, err)
	}
	return w, nil
}

// Write adds one row to the report. r.Extra holds the carried values in the
// order of Create's extra names; missing trailing values are written empty,
// and more values than names is an error.
func (w *Writer) Write(r Row) error {
	if w.closed {
		return ErrClosed
	}
	if w.err != nil {
		return w.err
	}
	if len(r.Extra) > w.nextra {
		return fmt.Errorf("report line %d: %d carried values for %d carried columns", r.Line, len(r.Extra), w.nextra)
	}
	var err error
	if w.csv != nil {
		err = w.writeCSV(r)
	} else {
		err = w.writeJSON(r)
	}
	if err != nil {
		w.err = fmt.Errorf("write report %s: %w", w.path, err)
	}
	return w.err
}

func (w *Writer) writeCSV(r Row) error {
	rec := w.rec
	rec[0] = strconv.Itoa(r.Line)
	rec[1] = neutralise(r.MembershipID)
	rec[2] = neutralise(r.Action)
	rec[3] = formatNonZero(r.Days)
	rec[4] = neutralise(string(r.Status))
	rec[5] = formatNonZero(r.HTTPStatus)
	rec[6] = neutralise(r.Error)
	rec[7] = neutralise(r.Warning)
	rec[8] = formatTime(r.PreviousPeriodEnd)
	rec[9] = formatTime(r.PeriodEnd)
	rec[10] = neutralise(r.MembershipStatus)
	rec[11] = strconv.Itoa(r.Attempts)
	n := len(Columns)
	for i := range w.nextra {
		rec[n+i] = ""
		if i < len(r.Extra) {
			rec[n+i] = neutralise(r.Extra[i])
		}
	}
	return w.csv.Write(rec)
}

func (w *Writer) writeJSON(r Row) error {
	o := w.obj
	o[0].value = r.Line
	o[1].value = r.MembershipID
	o[2].value = r.Action
	o[3].value = nullable(r.Days)
	o[4].value = r.Status
	o[5].value = nullable(r.HTTPStatus)
	o[6].value = r.Error
	o[7].value = r.Warning
	o[8].value = jsonTime(r.PreviousPeriodEnd)
	o[9].value = jsonTime(r.PeriodEnd)
	o[10].value = r.MembershipStatus
	o[11].value = r.Attempts
	n := len(Columns)
	for i := range w.nextra {
		o[n+i].value = ""
		if i < len(r.Extra) {
			o[n+i].value = r.Extra[i]
		}
	}
	w.line.buf.Reset()
	if err := w.line.encode(o); err != nil {
		return err
	}
	_, err := w.bw.Write(w.line.buf.Bytes())
	return err
}

// nullable is n, or null when n is 0.
func nullable(n int) any {
	if n == 0 {
		return nil
	}
	return n
}

// jsonTime is a Unix time in RFC 3339, UTC, or null when not known.
func jsonTime(sec *int64) any {
	if sec == nil {
		return nil
	}
	return formatTime(sec)
}

// Commit flushes the rows written so far, fsyncs and closes the temporary
// file, renames it over the report path and fsyncs the directory. If any
// step fails, or an earlier Write failed, the temporary file is removed and
// the report path keeps its old content.
func (w *Writer) Commit() error {
	if w.closed {
		return ErrClosed
	}
	if w.err != nil {
		w.Abort()
		return w.err
	}
	return w.commit("report")
}

// Abort closes and removes the temporary file, leaving the report path as it
// was. It does nothing after Commit or a previous Abort.
func (w *Writer) Abort() { w.abort() }
