package input

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/gocarina/gocsv"
)

// The CSV decoder splits the file into records with encoding/csv, which
// gives each record's starting line (FieldPos), lets a ragged record be
// reported and skipped, and hands back the raw cells for the carried
// columns. gocsv then maps the cells of the known columns onto csvCells.
//
// gocsv's streaming entry points (UnmarshalDecoderToCallback and the
// *ToChan family) are a poor fit here: they decode on a goroutine of their
// own, so a record's line and raw cells cannot be paired with the struct
// handed to the callback without extra synchronisation, and they push
// where Rows must pull. So records are decoded in batches with
// gocsv.UnmarshalDecoder on this goroutine: the header plus up to
// csvBatchSize records at a time.

// csvCells holds the cells of the known columns of one CSV record, as
// written; an empty cell means the value is absent.
type csvCells struct {
	MembershipID string `csv:"membership_id"`
	Days         string `csv:"days"`
	Metadata     string `csv:"metadata"`
}

const csvBatchSize = 256

type csvDecoder struct {
	limit  *limitReader
	r      *csv.Reader
	fixed  bool     // the carried columns must be exactly names
	names  []string // carried column names, in header order
	cols   []int    // index in the record of each carried column
	header []string // as gocsv sees it: the known columns by name, the others blank
	width  int      // fields in the header

	started bool
	done    bool
	pending []rawRow // decoded rows; those from pos on are not handed out yet
	pos     int
	batch   csvBatch   // header, then the records gocsv decodes
	slots   []int      // index in pending of each record in batch[1:]
	cells   []csvCells // gocsv's output, reused
	prev    lastField  // to place a record whose start line csv cannot give
}

// csvBatch is a gocsv.Decoder over records already read.
type csvBatch [][]string

func (b csvBatch) GetCSVRows() ([][]string, error) { return b, nil }

// lastField is the last field of the previous record and its line.
type lastField struct {
	text string
	line int
}

func newCSVDecoder(in *inputStream, extra []string, fixed bool) *csvDecoder {
	limit := &limitReader{br: in.br, limit: maxLineBytes + 2}
	r := csv.NewReader(limit)
	r.FieldsPerRecord = 0 // the header sets it
	return &csvDecoder{limit: limit, r: r, fixed: fixed, names: extra}
}

func (d *csvDecoder) carried() []string { return d.names }

func (d *csvDecoder) next() (rawRow, error) {
	if !d.started {
		d.started = true
		if err := d.readHeader(); err != nil {
			return rawRow{}, err
		}
	}
	for d.pos == len(d.pending) {
		if d.done {
			return rawRow{}, io.EOF
		}
		d.pending, d.pos = d.pending[:0], 0
		if err := d.fill(); err != nil {
			return rawRow{}, err
		}
	}
	d.pos++
	return d.pending[d.pos-1], nil
}

// readHeader reads the header row and settles the columns. A header
// problem ends the file: its rows are not checked.
func (d *csvDecoder) readHeader() error {
	header, err := d.r.Read()
	d.limit.limit = d.r.InputOffset() + maxLineBytes + 2
	line := d.startLine(header, err)
	var pe *csv.ParseError
	switch {
	case d.limit.hit:
		d.stop(line, tooLong("header"))
		return nil
	case err == io.EOF: // blank lines only
		d.done = true
		return nil
	case errors.As(err, &pe):
		d.stop(pe.StartLine, faultf("invalid csv in the header", "invalid csv in the header: %v", pe.Err))
		return nil
	case err != nil:
		return err
	}
	if probs := d.setColumns(header); len(probs) > 0 {
		d.pending = append(d.pending, rawRow{line: line, probs: probs})
		d.done = true
	}
	return nil
}

// stop ends the file with a problem at line.
func (d *csvDecoder) stop(line int, f fault) {
	d.problem(line, f)
	d.done = true
}

// fill reads records until a batch is full or the file ends, then has
// gocsv decode the batch.
func (d *csvDecoder) fill() error {
	d.batch = append(d.batch[:0], d.header)
	d.slots = d.slots[:0]
	for len(d.slots) < csvBatchSize && !d.done {
		if err := d.read(); err != nil {
			return err
		}
	}
	if len(d.slots) == 0 {
		return nil
	}
	if err := gocsv.UnmarshalDecoder(d.batch, &d.cells); err != nil {
		return fmt.Errorf("decode csv records: %w", err)
	}
	for k, i := range d.slots {
		c := &d.cells[k]
		raw := &d.pending[i]
		raw.id = rawValue{c.MembershipID, c.MembershipID != ""}
		raw.days = rawValue{c.Days, c.Days != ""}
		raw.meta = rawValue{c.Metadata, c.Metadata != ""}
	}
	return nil
}

// read reads one record into pending (and batch, when it is well formed).
func (d *csvDecoder) read() error {
	rec, err := d.r.Read()
	d.limit.limit = d.r.InputOffset() + maxLineBytes + 2
	var pe *csv.ParseError
	switch {
	case d.limit.hit:
		d.stop(d.startLine(rec, err), tooLong("record"))
	case err == io.EOF:
		d.done = true
	case errors.As(err, &pe) && errors.Is(pe.Err, csv.ErrFieldCount):
		d.problem(pe.StartLine, faultf("row has a different number of fields than the header",
			"row has %s, the header has %d", plural(len(rec), "field"), d.width))
		d.remember(rec)
	case errors.As(err, &pe):
		d.problem(pe.StartLine, faultf("invalid csv", "invalid csv: %v", pe.Err))
		d.prev = lastField{line: pe.Line}
	case err != nil:
		return err
	default:
		d.accept(rec)
	}
	return nil
}

// accept queues a well-formed record.
func (d *csvDecoder) accept(rec []string) {
	line, _ := d.r.FieldPos(0)
	d.remember(rec)
	for i, cell := range rec {
		if !utf8.ValidString(cell) {
			d.problem(line, faultf("row is not valid UTF-8", "row is not valid UTF-8 (column %d)", i+1))
			return
		}
	}
	var extra []string
	if len(d.cols) > 0 {
		extra = make([]string, len(d.cols))
		for i, j := range d.cols {
			extra[i] = rec[j]
		}
	}
	d.slots = append(d.slots, len(d.pending))
	d.batch = append(d.batch, rec)
	d.pending = append(d.pending, rawRow{line: line, extra: extra})
}

func (d *csvDecoder) problem(line int, f fault) {
	d.pending = append(d.pending, rawRow{line: line, probs: []fault{f}})
}

// remember keeps where the record ended, for startLine.
func (d *csvDecoder) remember(rec []string) {
	if n := len(rec); n > 0 {
		line, _ := d.r.FieldPos(n - 1)
		d.prev = lastField{rec[n-1], line}
	}
}

// startLine is the line a record starts on, as encoding/csv tells it
// (rec and err are what its Read returned). When it cannot, the record
// broke off in a run of blank lines: then it is the line after the
// previous record.
func (d *csvDecoder) startLine(rec []string, err error) int {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return pe.StartLine
	}
	if len(rec) > 0 {
		line, _ := d.r.FieldPos(0)
		return line
	}
	if d.prev.line == 0 {
		return 1
	}
	return d.prev.line + strings.Count(d.prev.text, "\n") + 1
}

// limitReader feeds encoding/csv, refusing to read past limit: the caller
// moves limit to maxLineBytes (and a line break) past the end of each
// record, so no record can make the reader hold more than that.
//
// encoding/csv asks for more bytes only when the line it is reading has no
// line break yet, so reaching the limit means the current record is too
// long. The reader then ends the input early, with io.EOF: encoding/csv
// still reports where that record started (a ParseError's StartLine for a
// quoted field cut short, FieldPos otherwise), which it does not for other
// read errors.
type limitReader struct {
	br    *bufio.Reader
	off   int64 // bytes read so far
	limit int64
	hit   bool // the input was cut at limit
}

func (l *limitReader) Read(p []byte) (int, error) {
	if l.off >= l.limit {
		if _, err := l.br.Peek(1); err != nil {
			return 0, err // the file ends (io.EOF) right at the limit
		}
		l.hit = true
		return 0, io.EOF
	}
	if rem := l.limit - l.off; int64(len(p)) > rem {
		p = p[:rem]
	}
	n, err := l.br.Read(p)
	l.off += int64(n)
	return n, err
}
