package input

import (
	"fmt"
	"io"
)

// Limits on the input file, besides those on values (validate.go).
const (
	maxLineBytes = 1 << 20 // longest line (JSONL) or record (CSV)
	maxExtraKeys = 256     // distinct carried keys over a JSONL file
)

// rawRow is one input row as decoded, before its values are checked.
type rawRow struct {
	line           int
	id, days, meta rawValue
	extra          []string // aligned with the decoder's carried names
	probs          []fault  // problems found while decoding; the values are not checked then
	jsonValues     bool     // values are JSON text (JSONL) rather than CSV cells
}

// rawValue is a value as written: a CSV cell, or the JSON text of a JSONL
// member. set is false when the cell is empty or the key absent.
type rawValue struct {
	text string
	set  bool
}

// decoder turns an input stream into rawRows, in file order. After a
// problem that makes the rest of the file unreadable it returns io.EOF.
type decoder interface {
	next() (rawRow, error)
	carried() []string // names of the carried columns or keys, so far
}

// newDecoder returns the decoder for the format. With fixed set, extra is
// the complete list of carried names (as a scan found them) and anything
// else is a problem; otherwise names are collected as they appear.
func newDecoder(in *inputStream, f Format, extra []string, fixed bool) (decoder, error) {
	if f != CSV && f != JSONL {
		return nil, fmt.Errorf("unknown input format %q", f)
	}
	switch {
	case in.empty:
		return &stopped{f: faultOf("empty file")}, nil
	case in.utf16:
		return &stopped{f: utf16Fault(f)}, nil
	case f == CSV:
		return newCSVDecoder(in, extra, fixed), nil
	}
	return newJSONLDecoder(in, extra, fixed), nil
}

// utf16Fault says how to save a UTF-16 file as the UTF-8 bulk reads.
func utf16Fault(f Format) fault {
	how := "iconv -f UTF-16 -t UTF-8"
	if f == CSV {
		how = `"CSV UTF-8" in Excel, or ` + how
	}
	return faultf("the file is UTF-16", "the file is UTF-16; save it as UTF-8 (e.g. %s)", how)
}

// stopped is the decoder of a file that cannot be read at all: one
// problem, on line 1.
type stopped struct {
	f    fault
	done bool
}

func (s *stopped) next() (rawRow, error) {
	if s.done {
		return rawRow{}, io.EOF
	}
	s.done = true
	return rawRow{line: 1, probs: []fault{s.f}}, nil
}

func (s *stopped) carried() []string { return nil }
