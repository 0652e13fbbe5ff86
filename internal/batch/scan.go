package batch

import (
	"fmt"
	"io"
	"os"
)

// Scan is what checking a whole input file found.
type Scan struct {
	File         string
	Format       Format
	Rows         int // valid data rows
	PerAction    map[Action]int
	Days         int64     // sum of days over add_free_days rows
	Memberships  int       // distinct membership IDs over the file (both actions)
	SHA256       string    // hex SHA-256 of the file's bytes
	Size         int64     // how many bytes the scan checked
	Extra        []string  // carried columns: CSV header order; JSONL first-seen key order
	Problems     []Problem // at most MaxProblems, in line order
	ProblemCount int       // all problems found

	both map[uint64]uint32 // hashes of the memberships with rows of both actions
}

// BothActions says whether id has rows of both actions in the file: the
// (usually few) memberships a report must not count twice.
func (s *Scan) BothActions(id string) bool {
	_, ok := s.both[idHash(id)&^seenFlags]
	return ok
}

// ScanFile reads the file at path once, streaming, and checks every row.
// With noNull, a metadata value may not be null (the caller knows that the
// API would have to merge it, and the API documents no way to delete one
// key). The error is for I/O only (a missing
// or unreadable file); problems with the input are in Problems.
func ScanFile(path string, f Format, noNull bool) (*Scan, error) {
	file, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer file.Close()
	n := &counter{r: file}
	s, err := scan(path, n, f, noNull)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	s.Size = n.n
	return s, nil
}

// counter counts the bytes read through it.
type counter struct {
	r io.Reader
	n int64
}

func (c *counter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func scan(name string, r io.Reader, f Format, noNull bool) (*Scan, error) {
	in, err := newInputStream(r)
	if err != nil {
		return nil, err
	}
	dec, err := newDecoder(in, f, nil, false)
	if err != nil {
		return nil, err
	}
	s := &Scan{File: name, Format: f, PerAction: map[Action]int{}}
	chk := newChecker()
	chk.noNull = noNull
	sawRow := false
	for {
		raw, err := dec.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		sawRow = true
		row, probs := chk.check(raw)
		for _, msg := range probs {
			s.add(Problem{File: name, Line: raw.line, Msg: msg})
		}
		if probs == nil {
			s.Rows++
			s.PerAction[row.Action]++
			s.Days += int64(row.Days)
		}
	}
	if !sawRow {
		s.add(Problem{File: name, Line: 1, Msg: "no data rows"})
	}
	if err := in.drain(); err != nil {
		return nil, err
	}
	s.Memberships = chk.seen.n
	s.both = chk.seen.second
	s.Extra = dec.carried()
	s.SHA256 = in.sum()
	return s, nil
}

func (s *Scan) add(p Problem) {
	s.ProblemCount++
	if len(s.Problems) < MaxProblems {
		s.Problems = append(s.Problems, p)
	}
}

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
		r.err = &ProblemError{Problem{File: r.name, Line: raw.line, Msg: probs[0]}}
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
