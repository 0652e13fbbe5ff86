package input

import (
	"fmt"
	"io"
	"os"
)

// Rows streams the rows of a file that ScanFile found clean, through the
// same decoding and checks, so what is sent is what was checked.
type Rows struct {
	name string
	file io.Closer
	in   *inputStream
	dec  decoder
	chk  *checker
	err  error // sticky: io.EOF or the first problem
}

// OpenRows opens the file at path for streaming its rows. extra are the
// carried names the scan found (Scan.Extra); each Row.Extra is aligned
// with them.
func OpenRows(path string, f Format, extra []string) (*Rows, error) {
	return openRows(path, f, extra, -1)
}

// Open opens the scanned file again for streaming its rows, and reads no
// further than the scan checked: rows appended since are not read (the
// caller tells, by the file's size, that there are some).
func (s *Scan) Open() (*Rows, error) {
	return openRows(s.File, s.Format, s.Extra, s.Size)
}

func openRows(path string, f Format, extra []string, limit int64) (*Rows, error) {
	file, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	var rd io.Reader = file
	if limit >= 0 {
		rd = io.LimitReader(file, limit)
	}
	r, err := newRows(path, rd, f, extra)
	if err != nil {
		file.Close()
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	r.file = file
	return r, nil
}

func newRows(name string, rd io.Reader, f Format, extra []string) (*Rows, error) {
	in, err := newInputStream(rd)
	if err != nil {
		return nil, err
	}
	dec, err := newDecoder(in, f, extra, true)
	if err != nil {
		return nil, err
	}
	// The second reading checks every row again, duplicates included: a
	// file changed in place during the run is caught by its SHA-256 only
	// at the end, and the journal's index does not hold the memberships
	// this run adds, so a row repeated by such a change would otherwise
	// be sent twice. It costs about 12 bytes a membership.
	return &Rows{name: name, in: in, dec: dec, chk: newChecker()}, nil
}

// Next returns the next row; io.EOF after the last. A row that is no
// longer valid (the file changed since it was scanned) gives a
// *ProblemError, and so does every later call.
func (r *Rows) Next() (Row, error) {
	if r.err != nil {
		return Row{}, r.err
	}
	raw, err := r.dec.next()
	if err == io.EOF {
		err = r.in.drain()
		if err == nil {
			err = io.EOF
		}
	}
	if err != nil {
		if err != io.EOF {
			err = fmt.Errorf("read %s: %w", r.name, err)
		}
		r.err = err
		return Row{}, err
	}
	row, probs := r.chk.check(raw)
	if probs != nil {
		r.err = &ProblemError{Problem{File: r.name, Line: raw.line, Msg: probs[0].msg}}
		return Row{}, r.err
	}
	return row, nil
}

// SHA256 is the hex SHA-256 of the bytes read so far; once Next has
// returned io.EOF, of the whole file.
func (r *Rows) SHA256() string { return r.in.sum() }

// Close closes the file.
func (r *Rows) Close() error {
	if r.file == nil {
		return nil
	}
	return r.file.Close()
}
