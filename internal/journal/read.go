package journal

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"sync"
)

// CorruptError reports an undecodable record that is not the last one of
// the journal. It is never repaired automatically: the records after it
// may include intents whose requests were sent.
type CorruptError struct {
	Path   string
	Line   int   // 1-based
	Offset int64 // of the line's first byte
	Err    error
}

func (e *CorruptError) Error() string {
	return fmt.Sprintf("journal %s is corrupted at line %d (byte %d): %v", e.Path, e.Line, e.Offset, e.Err)
}

func (e *CorruptError) Unwrap() error { return e.Err }

// badRecord wraps a decoding failure returned by a walk callback.
type badRecord struct{ err error }

func (b badRecord) Error() string { return b.err.Error() }

const scanBuffer = 1 << 20

// walk calls fn with each whole line of f's first limit bytes (all of it
// when limit < 0), without its newline, and the line's offset. A callback
// returning badRecord marks the line undecodable: that is an error unless
// the line is the last one, and so is a torn tail. walk returns the end of
// the last line fn accepted, and how many it accepted.
func walk(f *os.File, path string, limit int64, fn func(line []byte, off int64) error) (int64, int, error) {
	if limit < 0 {
		limit = math.MaxInt64
	}
	br := bufio.NewReaderSize(io.NewSectionReader(f, 0, limit), scanBuffer)
	var (
		good, read int64
		n, num     int
		pending    *CorruptError
		long       []byte
	)
	for {
		line, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			long = append(long[:0], line...)
			for errors.Is(err, bufio.ErrBufferFull) {
				line, err = br.ReadSlice('\n')
				long = append(long, line...)
			}
			line = long
		}
		read += int64(len(line))
		if err == io.EOF && (len(line) == 0 || pending == nil) {
			return good, n, nil // a line without its newline is a torn tail
		}
		if pending != nil {
			return good, n, pending
		}
		if err != nil {
			return good, n, fmt.Errorf("read %s: %w", path, err)
		}
		num++
		off := read - int64(len(line))
		if err := fn(line[:len(line)-1], off); err != nil {
			var bad badRecord
			if !errors.As(err, &bad) {
				return good, n, err
			}
			pending = &CorruptError{Path: path, Line: num, Offset: off, Err: bad.err}
			continue
		}
		n++
		good = read
	}
}

// Each calls fn with every record of the journal, in file order, reading
// them from disk. It stops at the first error fn returns and returns it.
// A read-only journal is read up to its current end, torn tail excluded.
// It keeps the intents that have no outcome yet in memory.
func (j *Journal) Each(fn func(Record) error) error {
	j.mu.Lock()
	limit, closed := j.size, j.closed
	j.mu.Unlock()
	switch {
	case closed:
		return ErrClosed
	case j.f == nil:
		return nil
	case j.readOnly:
		limit = -1
	}
	var ctx runCtx
	intents := make(map[string]Record) // by action and id
	_, _, err := walk(j.f, j.path, limit, func(line []byte, off int64) error {
		d, err := decodeLine(line, "")
		if err != nil {
			return badRecord{err}
		}
		key := d.Action + "\x00" + d.ID
		switch {
		case d.Type == TypeRun:
			ctx = contextOf(&d.Record)
		case d.partial:
			in := intents[key]
			if err := d.complete(&in); err != nil {
				return fmt.Errorf("journal %s: record at offset %d: %w", j.path, off, err)
			}
		}
		d.place(ctx)
		switch d.Type {
		case TypeIntent:
			intents[key] = d.Record
		case TypeOutcome:
			delete(intents, key)
		}
		return fn(d.Record)
	})
	return err
}

// lineReader reads the records Lookup asks for. It keeps the last bytes it
// read: lookups made in input order mostly hit records near each other,
// so while they do it reads ahead in growing windows, and while they jump
// around it reads little.
type lineReader struct {
	mu  sync.Mutex
	f   *os.File
	buf []byte // file bytes from off
	off int64
	win int // bytes the next miss reads
}

const (
	minWindow = 1 << 10
	maxWindow = 64 << 10
)

// record reads and decodes the record at off, of membership id. It decodes
// a copy of the line, so that concurrent lookups decode in parallel.
func (r *lineReader) record(off int64, id string) (decoded, error) {
	buf := linePool.Get().(*[]byte)
	defer func() {
		if cap(*buf) <= maxWindow {
			linePool.Put(buf)
		}
	}()
	r.mu.Lock()
	line, err := r.line(off)
	*buf = append((*buf)[:0], line...)
	r.mu.Unlock()
	if err != nil {
		return decoded{}, err
	}
	return decodeLine(*buf, id)
}

var linePool = sync.Pool{New: func() any { return new([]byte) }}

func (r *lineReader) reset() {
	r.mu.Lock()
	r.buf, r.off = r.buf[:0], 0
	r.mu.Unlock()
}

// line returns the line at off without its newline, valid until the next
// call.
func (r *lineReader) line(off int64) ([]byte, error) {
	end := r.off + int64(len(r.buf))
	if off >= r.off && off < end {
		if i := bytes.IndexByte(r.buf[off-r.off:], '\n'); i >= 0 {
			return r.buf[off-r.off : off-r.off+int64(i)], nil
		}
	}
	if len(r.buf) > 0 && off >= r.off-int64(r.win) && off < end+int64(r.win) {
		r.win = min(2*r.win, maxWindow)
	} else {
		r.win = minWindow
	}
	// Start a little before off: lookups in input order step back a few
	// records now and then, as concurrent rows finish out of order.
	back := min(int64(r.win/8), off)
	r.off = off - back
	size := r.win
	if cap(r.buf) > maxWindow {
		r.buf = nil // left by a long record
	}
	for {
		if cap(r.buf) < size {
			r.buf = make([]byte, size)
		}
		n, err := r.f.ReadAt(r.buf[:size], r.off)
		r.buf = r.buf[:n]
		if int64(n) > back {
			if i := bytes.IndexByte(r.buf[back:], '\n'); i >= 0 {
				return r.buf[back : back+int64(i)], nil
			}
		}
		if err != nil {
			r.buf = r.buf[:0]
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return nil, err
		}
		size *= 2 // a record longer than the window
	}
}
